"""Request bodies, decoded strictly and cheaply before anything else looks at them.

Litestar would decode a JSON body into plain Python values and then convert those loosely into
the route's type (``"true"`` for a boolean, ``"4"`` for an integer), and a body of invalid UTF-8
escaped as a 500. Here ``BodyReader`` does it, for each route that takes a body (``JSONRequest``
is the app's request class), in this order, cheapest first:

1. the bearer token, on routes that need one (a client without one gets its 401 before its body
   costs anything; verified tokens are cached, so the route's own check is free);
2. the body's size against the route's own bound, when its type has one (``max_body_bytes``: a
   recipe's document is at most 64 KiB, so a body of a megabyte is refused before it is decoded);
   the app's bound (``APP_MAX_BODY_BYTES``) is Litestar's, applied while the body is read;
3. an empty body: ``{}`` where every field is optional (the OpenAPI document says that the body
   is not required there), otherwise a 400 saying that the body is missing;
4. the JSON text, in C (msgspec): invalid UTF-8, a lone surrogate escape, malformed JSON, a number
   out of range, nesting past the parser's limit, each a 400 naming the byte or the field;
5. duplicate keys in any object, counted in C (see ``_colons``);
6. the value against the route's type, strictly (msgspec ``convert``), Structs' own checks
   included (``app.http.validation``).

Every failure is an ``InvalidInput`` whose ``extra`` names the field by its full path; Litestar
then receives the decoded value and passes it through.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Annotated, Any, get_args, get_origin

import msgspec
from litestar import Litestar, Request
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import RequestBody

from app.http.auth import current_user_id
from app.http.validation import Path, Problem, dotted, explain
from app.kit.errors import ErrorDetails, InvalidInput, TooLarge

# Where a route handler keeps its reader (``handler.opt``).
READER = "pgapi_body_reader"

_WHITESPACE = b" \t\r\n"
# A colon written as an escape: a backslash preceded by an even number of backslashes, then u003a.
_COLON_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u003[aA]")
# A surrogate pair (skipped), or a surrogate escape on its own (reported).
_SURROGATES = re.compile(
    rb"(?<!\\)(?:\\\\)*(?:\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}"
    rb"|(?P<lone>\\u[dD][89a-fA-F][0-9a-fA-F]{2}))")
_BYTE = re.compile(r"JSON is malformed: (?P<reason>.*) \(byte (?P<byte>\d+)\)")


def _bad_body(detail: str, **details: Any) -> InvalidInput:
    return InvalidInput(detail, extra=ErrorDetails(field="", **details))


def _problem(problem: Problem) -> InvalidInput:
    return InvalidInput(problem.sentence(),
                        extra=ErrorDetails(field=dotted(problem.path), **problem.rule))


def _colons(text: bytes) -> int:
    """The colons of a JSON text, written as ``:`` or as an escape. Each key has one after it,
    and the strings have the rest: so a text has more than its decoded value re-encoded exactly
    when some object repeats a key (the value keeps one of its keys, and strings are only lost
    with the values they were in)."""
    colons = text.count(b":")
    if b"\\u003" in text:
        colons += len(_COLON_ESCAPE.findall(text))
    return colons


class _Repeats(dict[str, Any]):
    """An object that repeated ``key`` (see ``_repeated_key``)."""

    key = ""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) == len(pairs):
        return value
    repeats, seen = _Repeats(value), set()
    for key, _ in pairs:
        if key in seen:
            repeats.key = key
            break
        seen.add(key)
    return repeats


def _walk(value: Any) -> Iterator[tuple[Path, Any]]:
    """Every value inside ``value``, with its path, in document order."""
    pending: list[tuple[Path, Any]] = [((), value)]
    while pending:
        path, value = pending.pop()
        yield path, value
        if isinstance(value, dict):
            pending.extend(((*path, k), v) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            pending.extend(((*path, i), v) for i, v in reversed(list(enumerate(value))))


def _repeated_key(body: bytes) -> Problem | None:
    """Where the body repeats a key (in Python, only once ``_colons`` found that it does)."""
    value = json.loads(body, object_pairs_hook=_pairs)
    found = next(((p, v) for p, v in _walk(value) if isinstance(v, _Repeats)), None)
    if found is None:
        return None
    path, repeats = found
    return Problem((*path, repeats.key), "appears twice in its object")


def _out_of_range(body: bytes) -> Problem:
    """Where the body has a number too large for a float (Python's parser reads it as
    infinity)."""
    value = json.loads(body)
    path = next((p for p, v in _walk(value) if isinstance(v, float) and math.isinf(v)), ())
    return Problem(path, "is a number out of range" if path else "has a number out of range")


def _malformed(body: bytes, error: msgspec.DecodeError) -> InvalidInput:
    message = str(error)
    # msgspec takes a high surrogate without its pair for the end of the input.
    truncated = message == "Input data was truncated"
    if truncated or "surrogate" in message:
        lone = next((m for m in _SURROGATES.finditer(body) if m["lone"]), None)
        if lone is not None:
            return _bad_body(
                f"the body has a lone surrogate escape ({lone['lone'].decode()}) at byte "
                f"{lone.start('lone')}: a string must not hold half of a UTF-16 pair",
                position=lone.start("lone"))
    if truncated:
        return _bad_body("the body is not valid JSON: it is truncated (it ends before its "
                         "value does)", position=len(body))
    match = _BYTE.fullmatch(message)
    if match is None:
        return _bad_body(f"the body is not valid JSON: {message}")
    return _bad_body(f"the body is not valid JSON: {match['reason']} at byte {match['byte']}",
                     position=int(match["byte"]))


def _decoded(body: bytes) -> Any:
    """The JSON text as Python values, in C, or the 400 that says why it is none."""
    try:
        return msgspec.json.decode(body)
    except UnicodeDecodeError:
        try:
            body.decode()
        except UnicodeDecodeError as exc:
            raise _bad_body(f"the body is not valid UTF-8 (byte {exc.start})",
                            position=exc.start) from None
        raise
    except msgspec.DecodeError as exc:
        raise _malformed(body, exc) from None
    except msgspec.ValidationError:  # a number too large for a float
        raise _problem(_out_of_range(body)) from None
    except RecursionError:
        raise _bad_body("the body is nested too deeply") from None


def _strict_type(annotation: Any) -> Any:
    """The route's ``data`` annotation with msgspec's metadata only (without Litestar's)."""
    if get_origin(annotation) is Annotated:
        inner, *metadata = get_args(annotation)
        metas = [m for m in metadata if isinstance(m, msgspec.Meta)]
        return Annotated[(inner, *metas)] if metas else inner
    return annotation


class BodyReader:
    """How one route reads its body: the type, its own size bound, whether the body is optional
    (every field is: then an empty body is ``{}``), and whether the route needs a bearer token
    (checked first: a client without one gets its 401 before its body costs anything)."""

    __slots__ = ("type", "max_bytes", "optional", "authenticated")

    def __init__(self, annotation: Any, *, authenticated: bool = False):
        self.type = _strict_type(annotation)
        self.authenticated = authenticated
        self.max_bytes: int | None = getattr(get_args(self.type)[0] if get_origin(
            self.type) is Annotated else self.type, "max_body_bytes", None)
        try:
            msgspec.convert({}, self.type)
        except msgspec.ValidationError:
            self.optional = False
        else:
            self.optional = True

    @classmethod
    def of(cls, handler: HTTPRouteHandler) -> BodyReader | None:
        data = handler.parsed_fn_signature.parameters.get("data")
        if data is None:
            return None
        return cls(data.raw, authenticated=bool(handler.resolve_security()))

    def read(self, body: bytes) -> Any:
        if self.max_bytes is not None and len(body) > self.max_bytes:
            raise TooLarge(f"the request body is larger than {self.max_bytes} bytes, the most "
                           "this route accepts", extra=ErrorDetails(field="",
                                                                    max_length=self.max_bytes))
        if not body.strip(_WHITESPACE):
            if not self.optional:
                raise _bad_body("the request body is missing")
            body = b"{}"
        value = _decoded(body)
        if _colons(body) != _colons(msgspec.json.encode(value)) and (
                repeated := _repeated_key(body)) is not None:
            raise _problem(repeated)
        try:
            return msgspec.convert(value, self.type)
        except msgspec.ValidationError as exc:
            raise _problem(explain(exc, self.type)) from None


class JSONRequest(Request[Any, Any, Any]):
    """The app's request class: a route's JSON body is read by its ``BodyReader``."""

    __slots__ = ()

    def _reader(self) -> BodyReader | None:
        reader: BodyReader | None = self.route_handler.opt.get(READER)
        return reader

    async def body(self) -> bytes:
        """The body; ``{}`` for an empty one where that is what an empty body means (Litestar
        would otherwise answer that the route's ``data`` is missing)."""
        body = await super().body()
        if not body and (reader := self._reader()) is not None and reader.optional:
            return b"{}"
        return body

    async def json(self) -> Any:
        reader = self._reader()
        if reader is None:
            return await super().json()
        if reader.authenticated:
            current_user_id(self)
        return reader.read(await self.body())


def attach_readers(app: Litestar) -> None:
    """Give each handler of ``app`` that takes a body its reader, and say in the OpenAPI document
    which bodies may be left out (once, when the app is built)."""
    operations = {
        operation.operation_id: operation
        for item in (app.openapi_schema.paths or {}).values()
        for operation in (item.get, item.put, item.post, item.patch, item.delete)
        if operation is not None
    }
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            reader = BodyReader.of(handler)
            if reader is None:
                continue
            handler.opt[READER] = reader
            operation = operations.get(handler.operation_id)
            if operation is not None and isinstance(operation.request_body, RequestBody):
                operation.request_body.required = not reader.optional
