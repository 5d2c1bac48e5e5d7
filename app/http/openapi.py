"""The OpenAPI document: the error responses each route can give, and schemas that say exactly
what the service accepts and returns.

Litestar writes the operations (paths, parameters, responses, security), but its schemas drift
from what msgspec validates: bounds become floats (2**63 - 1 turns into 2**63), a bound of 0 on an
optional value is dropped, ``msgspec.Meta`` on list items and on a list body is lost, and
``forbid_unknown_fields`` goes unsaid. So ``describe_exactly`` replaces every parameter, body and
response schema with msgspec's JSON Schema of the very types that decode the request and encode
the response; tests/reliability/test_schemathesis.py holds the service to the result.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from types import NoneType, UnionType
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin

import msgspec
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIHeader, OpenAPIResponse, Parameter, RequestBody
from litestar.params import ParameterKwarg
from litestar.response import Response
from litestar.types import Empty

from app.http.validation import REF_TEMPLATE
from app.kit.errors import ErrorBody

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.handlers import HTTPRouteHandler
    from litestar.openapi.spec import Operation, PathItem
    from litestar.typing import FieldDefinition

_DESCRIPTIONS = {
    400: "Bad input: malformed JSON, a wrong type, a missing or unknown field, a value out of range",
    401: "Missing, malformed, expired or revoked bearer token",
    403: "The current password is incorrect",
    404: "Not found, or not the caller's",
    409: "Conflicts with an existing record",
    412: "The If-Match precondition failed",
    413: "The request body is too large",
    422: "The idempotency key was used with a different request",
    429: "Too many attempts; retry after the Retry-After header",
    503: "The database (or, for sign-in with Google, Google's signing keys) is unavailable or "
         "busy; retry after the Retry-After header",
}

def errors(*codes: int) -> dict[int, ResponseSpec]:
    """Response specs for the given error statuses (400, 413 and 503 are always possible)."""
    wanted = sorted({400, 413, 503, *codes})
    return {
        code: ResponseSpec(data_container=ErrorBody, description=_DESCRIPTIONS[code])
        for code in wanted
    }


def schema_ref(struct: type[msgspec.Struct]) -> dict[str, str]:
    """``{"$ref": ...}`` to ``struct``'s schema, for ``msgspec.Meta(extra_json_schema=...)`` of a
    field that is decoded loosely (a dict) but checked against ``struct`` in ``__post_init__``;
    the struct's module lists it in its ``schemas``, so that the document defines it."""
    return {"$ref": REF_TEMPLATE.format(name=struct.__name__)}


def _without_none(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, UnionType):
        members = tuple(arg for arg in get_args(annotation) if arg is not NoneType)
        return members[0] if len(members) == 1 else Union[members]
    return annotation


_BOUNDS = ("gt", "ge", "lt", "le", "multiple_of", "pattern", "min_length", "max_length")
_METHODS = ("get", "head", "put", "post", "delete", "patch")


def _parameter_type(field: FieldDefinition) -> Any:
    """The type msgspec reads a query, header or path value as, with its bounds. An optional one
    may be left out; its text may also be ``null``, which msgspec reads as None, except for a
    string (there it is the text "null")."""
    kwarg = field.kwarg_definition
    assert isinstance(kwarg, ParameterKwarg)
    bounds = {name: getattr(kwarg, name) for name in _BOUNDS if getattr(kwarg, name) is not None}
    meta = msgspec.Meta(**bounds, description=kwarg.description)
    value = _without_none(field.annotation)
    if value is not field.annotation and value is not str:
        return Annotated[value, meta] | None
    return Annotated[value, meta]


def _parameter_default(field: FieldDefinition) -> dict[str, Any]:
    return {"default": field.default} if field.default not in (Empty, None) else {}


def _parameter_field(handler: HTTPRouteHandler, parameter: Parameter) -> FieldDefinition:
    for name, field in handler.parsed_fn_signature.parameters.items():
        kwarg = field.kwarg_definition
        if isinstance(kwarg, ParameterKwarg) and (kwarg.name or name) == parameter.name:
            return field
    raise LookupError(f"{handler.operation_id}: no argument for parameter {parameter.name}")


def _response_type(handler: HTTPRouteHandler, status: int) -> Any:
    if status == handler.status_code:
        annotation = handler.parsed_fn_signature.return_type.annotation
        if get_origin(annotation) is Response:
            (annotation,) = get_args(annotation)
        return annotation
    assert handler.responses is not None
    return handler.responses[status].data_container


def _paths(app: Litestar) -> dict[str, PathItem]:
    return app.openapi_schema.paths or {}


def _operations(app: Litestar) -> dict[str, Operation]:
    return {
        operation.operation_id: operation
        for item in _paths(app).values()
        for method in _METHODS
        if (operation := getattr(item, method)) is not None
    }


# A response header's value, where Litestar has no value to take a type from (documentation_only).
_HEADER_SCHEMAS = {"ETag": {"type": "string", "pattern": '^"[0-9]+"$'}}


def _describe_headers(response: OpenAPIResponse) -> None:
    """Give every response header a schema (OpenAPI 3.1 requires one)."""
    for name, header in (response.headers or {}).items():
        if isinstance(header, OpenAPIHeader) and header.schema is None:
            # A plain dict where Litestar keeps a Schema object: the document is written out as is.
            header.schema = _HEADER_SCHEMAS.get(name, {"type": "string"})  # type: ignore[assignment]


def describe_exactly(app: Litestar, schemas: Sequence[type[msgspec.Struct]] = ()) -> None:
    """Rewrite the schemas of ``app``'s OpenAPI document (built once, served from then on) from
    msgspec: each parameter's from its type and bounds, each body's and response's from its type,
    and the components from the Structs these refer to, and ``schemas`` (referred to by name
    only). A page, ``Page[Item]``, is named (and titled) ``ItemPage``."""
    operations = _operations(app)
    # Where each schema goes, and what it adds (a parameter's default), in the order of ``types``.
    targets: list[tuple[Any, dict[str, Any]]] = []
    types: list[Any] = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            operation = operations.get(handler.operation_id) if handler.include_in_schema else None
            if operation is None:
                continue
            for parameter in operation.parameters or ():
                assert isinstance(parameter, Parameter)
                field = _parameter_field(handler, parameter)
                targets.append((parameter, _parameter_default(field)))
                types.append(_parameter_type(field))
            if isinstance(operation.request_body, RequestBody):
                data = handler.parsed_fn_signature.parameters["data"]
                # A body with a default may be left out (POST /notifications/read-all).
                operation.request_body.required = not data.has_default
                for media in operation.request_body.content.values():
                    targets.append((media, {}))
                    types.append(data.raw)
            for status, response in (operation.responses or {}).items():
                assert isinstance(response, OpenAPIResponse)
                _describe_headers(response)
                body = _response_type(handler, int(status))
                if body in (None, NoneType):  # HEAD: no body
                    response.content = None
                for media in (response.content or {}).values():
                    targets.append((media, {}))
                    types.append(body)
    found, components = msgspec.json.schema_components(
        [*types, *schemas], ref_template=REF_TEMPLATE
    )
    renamed = {name: _page_name(name) for name in components}
    for (target, extra), schema in zip(targets, found[: len(types)], strict=True):
        # A plain dict where Litestar keeps a Schema object: the document is written out as is.
        target.schema = _renamed({**schema, **extra}, renamed)
    document = {renamed[name]: _renamed(schema, renamed) for name, schema in components.items()}
    for name, new_name in renamed.items():
        if new_name != name:  # its title too, which client generators name their classes by
            document[new_name]["title"] = new_name
    # Plain dicts where Litestar keeps Schema objects: the document is written out as is.
    app.openapi_schema.components.schemas = document


_GENERIC_PAGE = re.compile(r"Page_(\w+)_")


def _page_name(name: str) -> str:
    """msgspec names ``Page[Task]`` ``Page_Task_``; the document calls it ``TaskPage``."""
    match = _GENERIC_PAGE.fullmatch(name)
    return f"{match.group(1)}Page" if match else name


def _ref(ref: str, renamed: dict[str, str]) -> str:
    name = ref.rsplit("/", 1)[1]
    return REF_TEMPLATE.format(name=renamed.get(name, name))


def _renamed(schema: Any, renamed: dict[str, str]) -> Any:
    """``schema`` with every ``$ref`` to a renamed component following it."""
    if isinstance(schema, dict):
        return {
            key: _ref(value, renamed) if key == "$ref" and isinstance(value, str)
            else _renamed(value, renamed)
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [_renamed(item, renamed) for item in schema]
    return schema


def query_parameters(app: Litestar) -> dict[tuple[str, str], frozenset[str]]:
    """The query parameters the document lists, by path template and method."""
    return {
        (path, method.upper()): frozenset(
            p.name for p in operation.parameters or () if p.param_in == "query"
        )
        for path, item in _paths(app).items()
        for method in _METHODS
        if (operation := getattr(item, method)) is not None
    }
