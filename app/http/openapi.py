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

from types import NoneType, UnionType
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin

import msgspec
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import ParameterKwarg
from litestar.response import Response
from litestar.types import Empty

from app.kit.errors import ErrorBody
from app.http.validation import JSON_VALUE, JSON_VALUE_NAME, REF_TEMPLATE

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.handlers import HTTPRouteHandler
    from litestar.openapi.spec import Operation, Parameter
    from litestar.typing import FieldDefinition

_DESCRIPTIONS = {
    400: "Bad input: malformed JSON, a wrong type, a missing or unknown field, a value out of range",
    401: "Missing, malformed, expired or revoked bearer token",
    404: "Not found, or not the caller's",
    409: "Conflicts with an existing record",
    412: "The If-Match precondition failed",
    413: "The request body is too large",
    422: "The idempotency key was used with a different request",
    429: "Too many attempts; retry after the Retry-After header",
    503: "The database is unavailable or busy; retry after the Retry-After header",
}

# Structs that a field's schema refers to by name (see ``schema_ref``), added to the components.
_REFERENCED: list[type] = []


def errors(*codes: int) -> dict[int, ResponseSpec]:
    """Response specs for the given error statuses (400, 413 and 503 are always possible)."""
    wanted = sorted({400, 413, 503, *codes})
    return {
        code: ResponseSpec(data_container=ErrorBody, description=_DESCRIPTIONS[code])
        for code in wanted
    }


def schema_ref(struct: type[msgspec.Struct]) -> dict[str, str]:
    """``{"$ref": ...}`` to ``struct``'s schema, for ``msgspec.Meta(extra_json_schema=...)`` of a
    field that is decoded loosely (a dict) but checked against ``struct`` in ``__post_init__``."""
    _REFERENCED.append(struct)
    return {"$ref": REF_TEMPLATE.format(name=struct.__name__)}


def _without_none(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, UnionType):
        members = tuple(arg for arg in get_args(annotation) if arg is not NoneType)
        return members[0] if len(members) == 1 else Union[members]
    return annotation


_BOUNDS = ("gt", "ge", "lt", "le", "multiple_of", "pattern", "min_length", "max_length")
_METHODS = ("get", "put", "post", "delete", "patch")


def _parameter_type(field: FieldDefinition) -> Any:
    """The type msgspec reads a query, header or path value as, with its bounds. An optional one
    may be left out; its text may also be ``null``, which msgspec reads as None, except for a
    string (there it is the text "null")."""
    kwarg = field.kwarg_definition
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
    return handler.responses[status].data_container


def _operations(app: Litestar) -> dict[str, Operation]:
    return {
        operation.operation_id: operation
        for item in app.openapi_schema.paths.values()
        for method in _METHODS
        if (operation := getattr(item, method)) is not None
    }


def describe_exactly(app: Litestar) -> None:
    """Rewrite the schemas of ``app``'s OpenAPI document (built once, served from then on) from
    msgspec: each parameter's from its type and bounds, each body's and response's from its type,
    and the components from the Structs these refer to."""
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
                field = _parameter_field(handler, parameter)
                targets.append((parameter, _parameter_default(field)))
                types.append(_parameter_type(field))
            if operation.request_body is not None:
                data = handler.parsed_fn_signature.parameters["data"]
                for media in operation.request_body.content.values():
                    targets.append((media, {}))
                    types.append(data.raw)
            for status, response in operation.responses.items():
                for media in (response.content or {}).values():
                    targets.append((media, {}))
                    types.append(_response_type(handler, int(status)))
    schemas, components = msgspec.json.schema_components(
        [*types, *_REFERENCED], ref_template=REF_TEMPLATE
    )
    for (target, extra), schema in zip(targets, schemas[: len(types)], strict=True):
        # A plain dict where Litestar keeps a Schema object: the document is written out as is.
        target.schema = {**schema, **extra}
    components[JSON_VALUE_NAME] = JSON_VALUE
    app.openapi_schema.components.schemas = components


def query_parameters(app: Litestar) -> dict[tuple[str, str], frozenset[str]]:
    """The query parameters the document lists, by path template and method."""
    return {
        (path, method.upper()): frozenset(
            p.name for p in operation.parameters or () if p.param_in == "query"
        )
        for path, item in app.openapi_schema.paths.items()
        for method in _METHODS
        if (operation := getattr(item, method)) is not None
    }
