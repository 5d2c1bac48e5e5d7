"""One set of exception handlers: domain errors, Litestar's own and driver errors into JSON
responses of one shape (``ErrorBody``); nothing a client sends becomes a 500.

A body's problems arrive as ``InvalidInput`` from its reader (``app.http.body``) with the field's
full path; Litestar's ``ValidationException`` is left for query, path and header parameters (and
a body that is missing), which are named as ``parameter`` or ``header`` with the rule they broke.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Literal, get_args, get_origin

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.params import ParameterKwarg
from litestar.typing import FieldDefinition

from app.db.errors import ErrorTranslator
from app.http.etag import IF_MATCH_PATTERN
from app.http.validation import PATTERN_MEANINGS, read
from app.kit.errors import AppError, ErrorBody, ErrorDetails

log = logging.getLogger("app")

Handler = Callable[[Request[Any, Any, Any], Any], Response[ErrorBody]]

_MEANINGS = {**PATTERN_MEANINGS,
             IF_MATCH_PATTERN: 'must be * or a list of quoted ETags like "3"'}


def _error(status: int, detail: str, extra: ErrorDetails | None = None,
           headers: dict[str, str] | None = None) -> Response[ErrorBody]:
    body = ErrorBody(status, detail) if extra is None else ErrorBody(status, detail, extra)
    return Response(body, status_code=status, headers=headers)


def _app_error(_: Request[Any, Any, Any], exc: AppError) -> Response[ErrorBody]:
    return _error(exc.status_code, exc.detail, exc.extra, exc.headers)


def _choices(annotation: Any) -> list[Any]:
    """The values of a Literal (optional or not), else none."""
    if get_origin(annotation) is Literal:
        return list(get_args(annotation))
    return [value for arg in get_args(annotation) for value in _choices(arg)]


def _rule(field: FieldDefinition, kind: str) -> dict[str, Any]:
    """The rule of ``kind`` (see ``app.http.validation.rule_of``) a parameter has."""
    kwarg = field.kwarg_definition
    assert isinstance(kwarg, ParameterKwarg)
    if kind == "allowed":
        choices = _choices(field.annotation)
        return {"allowed": choices} if choices else {}
    names = {"bounds": {"ge": "minimum", "le": "maximum", "gt": "exclusive_minimum",
                        "lt": "exclusive_maximum"},
             "length": {"min_length": "min_length", "max_length": "max_length"},
             "pattern": {"pattern": "pattern"}}.get(kind, {})
    return {name: getattr(kwarg, attribute) for attribute, name in names.items()
            if getattr(kwarg, attribute) is not None}


def _parameter_error(request: Request[Any, Any, Any], exc: ValidationException
                     ) -> Response[ErrorBody]:
    problems = exc.extra if isinstance(exc.extra, list) else []
    problem = problems[0] if problems and isinstance(problems[0], dict) else {}
    key = problem.get("key")
    field = request.route_handler.parsed_fn_signature.parameters.get(key) if key else None
    if key == "data":
        return _error(400, "the request body is missing", ErrorDetails(field=""))
    if field is None or not isinstance(field.kwarg_definition, ParameterKwarg):
        return _error(400, exc.detail)
    kwarg = field.kwarg_definition
    reading = read(str(problem.get("message", "")), _MEANINGS)
    rule = _rule(field, reading.kind) if reading.kind else {}
    name = str(kwarg.header or kwarg.query or getattr(kwarg, "name", None) or key)
    where = problem.get("source")
    if where == "header":
        return _error(400, f"header `{name}` {reading.message}", ErrorDetails(header=name, **rule))
    where = "path" if where == "path" else "query"
    return _error(400, f"{where} parameter `{name}` {reading.message}",
                  ErrorDetails(parameter=name, **rule))


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[ErrorBody]:
    if isinstance(exc, ValidationException):
        return _parameter_error(request, exc)
    extra = ErrorDetails(field="") if exc.status_code == 413 else None
    return _error(exc.status_code, exc.detail, extra, exc.headers)


def exception_handlers(errors: ErrorTranslator) -> dict[type[Exception], Handler]:
    """The app's handlers; ``errors`` knows every module's constraints, for driver errors raised
    outside a repository."""

    def unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
        known = errors.translate(exc)
        if known is not None:
            return _app_error(request, known)
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error(500, "internal server error")

    return {AppError: _app_error, HTTPException: _http_error, Exception: unexpected}
