"""The documentation is served by the service itself: the page loads nothing from elsewhere, its
files are there, every other path under /schema is a JSON 404, and GET / says where to go."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.http.docs import DOCS_PATH, DOCUMENT_PATH
from tests.conftest import app_for
from tests.helpers import served


@pytest.mark.parametrize("path", ["/schema", DOCS_PATH])
async def test_the_page_loads_only_files_the_service_serves(client, path):
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", response.text)
    assert len(urls) == 4, urls  # the bundle, the preset, the stylesheet and the icon
    for url in urls:
        assert url.startswith("/schema/assets/"), url
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert asset.content
        assert asset.headers["cache-control"] == "public, max-age=86400"
    assert "http://" not in response.text.split("spec:")[0]
    assert "https://" not in response.text.split("spec:")[0]


async def test_the_page_is_swagger_ui_5_or_later(client):
    """Swagger UI 4 cannot render an OpenAPI 3.1 document."""
    bundle = await client.get("/schema/assets/swagger-ui-bundle.js")
    assert bundle.headers["content-type"].startswith("text/javascript")
    major = re.search(rb'PACKAGE_VERSION:"(\d+)\.\d+\.\d+"', bundle.content)
    assert major and int(major.group(1)) >= 5


@pytest.mark.parametrize("path", [
    "/schema/redoc", "/schema/elements", "/schema/rapidoc", "/schema/no-such-page",
    "/schema/openapi.yaml", "/schema/assets/swagger-editor.js", "/schema/assets/..%2Fopenapi.json",
    "/schema/assets/a/b", "/schema/a/b",
])
async def test_every_other_path_under_schema_is_a_json_404(client, path):
    response = await client.get(path)
    assert response.status_code == 404, path
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["status_code"] == 404
    assert DOCS_PATH in body["detail"] or "not found" in body["detail"].lower()


async def test_the_root_points_to_the_docs(client):
    response = await client.get("/")
    assert response.status_code == 200
    body = response.json()
    assert body["docs"] == DOCS_PATH
    assert body["openapi"] == DOCUMENT_PATH
    assert (await client.get(body["docs"])).status_code == 200
    assert (await client.get(body["openapi"])).status_code == 200


CHROMIUM = Path("/usr/bin/chromium")
# As root, without a sandbox; no background requests of the browser's own (updates, sync, QUIC
# probes), and no name but the loopback address resolves.
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def _chromium() -> Path:
    """Debian's Chromium (.ci/run installs it); without it the test is skipped, except in CI."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs the chromium package")
        pytest.skip(f"needs {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


@pytest.mark.slow
async def test_the_page_renders_every_operation_in_a_browser_with_the_network_cut_off(
        settings, tmp_path):
    """Chromium opens the page from the real server; every request that would leave the machine
    is refused and recorded, and there must be none. Swagger UI must have drawn one block per
    operation of the document (a screenshot of it is left in the test's temporary folder)."""
    screenshot = tmp_path / "docs.png"
    from playwright.async_api import Route, async_playwright
    from playwright.async_api import TimeoutError as NotRendered

    chromium = _chromium()
    async with served(app_for(settings)) as http:
        document = (await http.get(DOCUMENT_PATH)).json()
        expected = sorted(
            (method.upper(), path) for path, item in document["paths"].items()
            for method in item if method in METHODS)
        outside: list[str] = []

        async def local_only(route: Route) -> None:
            if urlsplit(route.request.url).hostname == "127.0.0.1":
                await route.continue_()
            else:
                outside.append(route.request.url)
                await route.abort("internetdisconnected")

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=chromium,
                                                       args=CHROMIUM_FLAGS, timeout=60_000)
            try:
                context = await browser.new_context(service_workers="block")
                await context.route("**/*", local_only)
                page = await context.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda error: errors.append(str(error)))
                page.on("console", lambda message: errors.append(message.text)
                        if message.type == "error" else None)
                await page.goto(f"{http.base_url}{DOCS_PATH}", timeout=30_000)
                try:
                    await page.wait_for_selector(".opblock", timeout=30_000)
                except NotRendered:
                    pass  # what it tried to load says why (below)
                blocks = page.locator(".opblock")
                rendered = sorted(zip(
                    await blocks.locator(".opblock-summary-method").all_inner_texts(),
                    await blocks.locator(".opblock-summary-path").evaluate_all(
                        "nodes => nodes.map(n => n.getAttribute('data-path'))"),
                    strict=True))
                title = await page.locator(".info .title").all_inner_texts()
                await page.screenshot(path=screenshot, full_page=False)
            finally:
                await browser.close()
    assert outside == []
    assert errors == []
    assert rendered == expected
    assert len(title) == 1 and title[0].startswith(document["info"]["title"])
