"""The interactive documentation, served by the service itself, so that it works with no network.

Swagger UI 5 (which renders OpenAPI 3.1) comes from the ``swagger-ui-py`` wheel: only its static
files are used (found without importing the package), and the page, its scripts, its stylesheet
and its icon are all answered from ``/schema``. Litestar's Swagger page embeds the document, so
the page makes no request but for those files. Every other path under ``/schema`` answers the
JSON error shape with 404, and ``GET /`` says where the documentation is.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import msgspec
from litestar import Controller, Response, Router, get
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.params import FromPath

from app import __version__
from app.kit.errors import NotFound

SCHEMA_PATH = "/schema"
DOCS_PATH = f"{SCHEMA_PATH}/swagger"
DOCUMENT_PATH = f"{SCHEMA_PATH}/openapi.json"
_ASSETS_PATH = f"{SCHEMA_PATH}/assets"

# What the page loads, with its media type.
_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui-standalone-preset.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}


def _swagger_ui_files() -> Path:
    spec = find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the swagger-ui-py package is missing: reinstall the service")
    return Path(spec.submodule_search_locations[0]) / "static"


def _not_found() -> NotFound:
    return NotFound(f"no such documentation page; the documentation is at {DOCS_PATH}")


class _Assets(Controller):
    """Swagger UI's files, read once per app; the browser may keep them for a day."""

    path = "/assets"
    include_in_schema = False

    def __init__(self, owner: Router) -> None:
        super().__init__(owner)
        folder = _swagger_ui_files()
        self._files = {name: (folder / name).read_bytes() for name in _ASSETS}

    @get("/{name:str}", sync_to_thread=False)
    def asset(self, name: FromPath[str]) -> Response[bytes]:
        content = self._files.get(name)
        if content is None:
            raise _not_found()
        return Response(content, media_type=_ASSETS[name],
                        headers={"Cache-Control": "public, max-age=86400"})


def _json_not_found(response: Response[object]) -> Response[object]:
    """Litestar answers an unknown page under /schema with an HTML 404 of its own."""
    if response.status_code == 404:
        raise _not_found()
    return response


def schema_router() -> Router:
    """The router Litestar adds the documentation's routes to: the page, the document, and the
    page's files."""
    return Router(SCHEMA_PATH, route_handlers=[_Assets], include_in_schema=False,
                  after_request=_json_not_found)


def swagger_page() -> SwaggerRenderPlugin:
    """Swagger UI at /schema and /schema/swagger, loading its files from the service."""
    return SwaggerRenderPlugin(
        js_url=f"{_ASSETS_PATH}/swagger-ui-bundle.js",
        css_url=f"{_ASSETS_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{_ASSETS_PATH}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{_ASSETS_PATH}/favicon-32x32.png'>",
    )


class Index(msgspec.Struct):
    """Where to go from here."""

    service: str
    version: str
    docs: str
    openapi: str
    health: str


class IndexController(Controller):
    path = "/"
    tags = ["docs"]

    @get("/", operation_id="index", sync_to_thread=False)
    def index(self) -> Index:
        """Where the documentation and the OpenAPI document are."""
        return Index(service="pgapi", version=__version__, docs=DOCS_PATH,
                     openapi=DOCUMENT_PATH, health="/health/ready")
