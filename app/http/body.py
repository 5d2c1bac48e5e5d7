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
5. the value against the route's type, strictly (msgspec ``convert``), Structs' own checks
   included (``app.http.validation``): free-form documents are bounded there. Strictly as JSON
   Schema means it: ``"4"`` is not an integer, but ``4.0`` is (see ``_integral``);
6. duplicate keys in any object, counted in C (see ``_colons``), and only then searched for.

Decoding runs with Python's cycle collector paused (``_without_gc``).

Every failure is an ``InvalidInput`` whose ``extra`` names the field by its full path; Litestar
then receives the decoded value and passes it through.
"""

from __future__ import annotations

import gc
import json
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, get_args, get_origin

import msgspec
from litestar import Litestar, Request
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import RequestBody

from app.http.auth import current_user_id
from app.http.validation import Links, Path, Problem, dotted, explain, path_of
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


def _find(root: Any, hit: Callable[[Any], bool]) -> Path | None:
    """Where inside ``root`` a value is that ``hit`` is true of (a container's own children before
    those nested deeper), or None: an error path's search, linear (see ``path_of``)."""
    links: Links = []
    pending: list[tuple[Any, int]] = [(root, -1)]
    while pending:
        node, link = pending.pop()
        below = []
        for key, child in node.items() if isinstance(node, dict) else enumerate(node):
            if hit(child):
                return path_of(links, link, key)
            if isinstance(child, (dict, list)):
                links.append((link, key))
                below.append((child, len(links) - 1))
        pending.extend(reversed(below))
    return None


# Nodes this small (as compact JSON) are searched in Python; larger ones are narrowed down in C.
_SEARCHED = 65536


def _repeated_key(body: bytes, value: Any) -> Problem | None:
    """Where the body repeats a key, once ``_colons`` found that it does (and after the checks of
    the route's type, so that every free-form document in it is of bounded size). While the node
    holding the repeat is large, its child holding it is found in C (the child whose text has more
    colons than its value re-encoded); then Python's parser searches that node."""
    raw, node = body, value
    path: Path = ()
    while isinstance(node, (dict, list)) and len(msgspec.json.encode(node)) > _SEARCHED:
        parts: list[tuple[str | int, msgspec.Raw, Any]]
        if isinstance(node, dict):
            parts = [(key, part, node[key]) for key, part in msgspec.json.decode(
                raw, type=dict[str, msgspec.Raw]).items()]
        else:
            parts = [(index, part, node[index]) for index, part in enumerate(msgspec.json.decode(
                raw, type=list[msgspec.Raw]))]
        inside = next(((key, bytes(part), child) for key, part, child in parts
                       if _colons(bytes(part)) != _colons(msgspec.json.encode(child))), None)
        if inside is None:  # in the node's own keys: too large to search, named as a whole
            return Problem(path, "repeats one of its keys")
        key, raw, node = inside
        path = (*path, key)
    found = json.loads(raw, object_pairs_hook=_pairs)
    where = () if isinstance(found, _Repeats) else _find(found, lambda v: isinstance(v, _Repeats))
    if where is None:
        return None
    repeats = found
    for step in where:
        repeats = repeats[step]
    return Problem((*path, *where, repeats.key), "appears twice in its object")


def _out_of_range(body: bytes) -> Problem:
    """Where the body has a number too large for a float (Python's parser reads it as
    infinity)."""
    path = _find(json.loads(body), lambda v: isinstance(v, float) and math.isinf(v))
    return Problem(path, "is a number out of range") if path else Problem(
        (), "has a number out of range")


@contextmanager
def _without_gc() -> Iterator[None]:
    """Python's cycle collector paused: a decoded body is a tree (no cycles to collect), and
    each of its thousands of containers would otherwise count toward collections that scan
    every object of the process (measured: a body of 87,000 empty objects decoded 7 times
    slower). What is decoded inside must be freed inside (``BodyReader._converted``): the
    containers still alive when the collector resumes are scanned by its next collection."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


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
    except msgspec.ValidationError:  # a number too large for a float (a kind of DecodeError)
        raise _problem(_out_of_range(body)) from None
    except msgspec.DecodeError as exc:
        raise _malformed(body, exc) from None
    except RecursionError:
        raise _bad_body("the body is nested too deeply") from None


def _integral(literal: str) -> float | int:
    """A number with a fraction or an exponent, as JSON Schema reads it: one whose value has no
    fractional part is an integer (``224.0``), within int64 (so that no literal grows)."""
    number = float(literal)
    return int(number) if number.is_integer() and abs(number) < 2**63 else number


# The body's text once more, when a number like 224.0 was given for an integer (rare: a second
# decode then, instead of a Python call for every number of every body).
_INTEGRAL = msgspec.json.Decoder(float_hook=_integral)
_FLOAT_FOR_INT = re.compile(r"Expected `[^`]*\bint\b[^`]*`, got `float`")


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
        with _without_gc():
            outcome = self._converted(body)
        if isinstance(outcome, InvalidInput):
            raise outcome
        return outcome

    def _converted(self, body: bytes) -> Any:
        """The body as the route's type, or the InvalidInput saying why it is not one: returned,
        not raised, so that the decoded values are freed when this call ends (a raised error's
        traceback would keep them alive past ``_without_gc``)."""
        value = _decoded(body)
        try:
            converted = msgspec.convert(value, self.type)
        except msgspec.ValidationError as exc:
            if not _FLOAT_FOR_INT.match(str(exc)):
                return _problem(explain(exc, self.type))
            value = _INTEGRAL.decode(body)
            try:
                converted = msgspec.convert(value, self.type)
            except msgspec.ValidationError as again:
                return _problem(explain(again, self.type))
        if _colons(body) != _colons(msgspec.json.encode(value)) and (
                repeated := _repeated_key(body, value)) is not None:
            return _problem(repeated)
        return converted


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
