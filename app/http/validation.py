"""Field types shared by the domains' Structs (their bounds reach both validation and OpenAPI),
the checks msgspec cannot make itself, and what a failed validation means to a client: the path
of the field, a sentence, and the rule it broke (``Problem``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import Annotated, Any

import msgspec
import msgspec.inspect as mi
from msgspec import UnsetType

# The characters str.isspace() and str.strip() take for whitespace, spelled out: `\s` means other
# characters in Python's regexes than in JSON Schema's (ECMA-262), and both read these patterns.
WHITESPACE = "\\t-\\r\\x1c- \\x85\\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"

# The end of the text, read alike by Python (where a bare `$` also matches before a final newline,
# so "en\n" would pass as a language code) and JSON Schema (ECMA-262).
END = r"$(?!\n)"

# No NUL character anywhere (PostgreSQL text cannot hold one).
NO_NUL = r"^[^\x00]*$"
# No NUL, and at least one character that is not whitespace (something is left after strip()).
NOT_BLANK = rf"^[^\x00]*[^\x00{WHITESPACE}][^\x00]*$"

# Printable ASCII: an Idempotency-Key.
KEY_PATTERN = r"^[\x20-\x7e]+$"

# Where the OpenAPI document keeps named schemas (app.http.openapi writes them there).
REF_TEMPLATE = "#/components/schemas/{name}"

# How deeply a free-form JSON document may nest (objects and arrays within each other).
MAX_DEPTH = 64

# A free-form JSON object: no NUL character in its keys (JSON Schema says so), nor in any nested
# key or string, and no deeper than MAX_DEPTH (``check_document`` checks both; JSON Schema could
# say it only with a schema that refers to itself, which client generators such as
# openapi-python-client cannot read, so the document says it in words).
_DOCUMENT_OBJECT = {"type": "object", "propertyNames": {"pattern": NO_NUL}}


def text(max_length: int, *, min_length: int = 0, blank: bool = True,
         description: str = "") -> msgspec.Meta:
    """The bounds of a string field (``Annotated[str, text(200)]``): its length, no NUL
    characters, and optionally not blank."""
    return msgspec.Meta(
        min_length=min_length,
        max_length=max_length,
        pattern=NO_NUL if blank else NOT_BLANK,
        description=description or None,
    )


def json_object(description: str, extra_schema: dict[str, Any] | None = None) -> msgspec.Meta:
    """The schema of a free-form JSON object field (``Annotated[dict[str, Any], json_object(...)]``;
    check it with ``check_document``); ``extra_schema`` adds to what its schema says."""
    return msgspec.Meta(
        description=f"{description} No NUL character in any key or string; at most {MAX_DEPTH} "
        "levels deep.",
        extra_json_schema={**_DOCUMENT_OBJECT, **(extra_schema or {})},
    )


def json_document(description: str) -> msgspec.Meta:
    """The schema of a free-form JSON object or array field (``Annotated[Any,
    json_document(...)]``; check it with ``check_document``): the nested rules are in words, as
    for ``json_object``."""
    return msgspec.Meta(
        description=f"{description} No NUL character in any key or string; at most {MAX_DEPTH} "
        "levels deep.",
        extra_json_schema={"anyOf": [_DOCUMENT_OBJECT, {"type": "array", "items": {}}]},
    )


# A moment with its offset, as PostgreSQL's timestamptz gives it: a date-time in the document.
Timestamp = Annotated[datetime, msgspec.Meta(tz=True)]


# A title or name of up to 200 characters that is trimmed and may not be blank (tasks,
# conversations, recipes, batches).
Title = Annotated[
    str, text(200, min_length=1, blank=False, description="1-200 characters, not blank; trimmed.")
]


# A place in a JSON value: keys of objects, indexes of arrays.
Path = tuple[str | int, ...]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def dotted(path: Iterable[str | int]) -> str:
    """``recipe_json.ingredients[0].name``; a key that is not a plain name is quoted,
    ``metadata["a b"]``; the empty path (the body itself) is ``""``."""
    out: list[str] = []
    for step in path:
        if isinstance(step, int):
            out.append(f"[{step}]")
        elif _NAME.fullmatch(step):
            out.append(f".{step}" if out else step)
        else:
            out.append(f"[{msgspec.json.encode(step).decode()}]")
    return "".join(out)


@dataclass(frozen=True)
class Problem:
    """What is wrong with a request body: where (a path from the body's top), a sentence that
    completes "`<path>` ...", and the rule broken (``ErrorDetails``' fields: bounds, pattern,
    allowed values)."""

    path: Path
    message: str
    rule: Mapping[str, Any] = field(default_factory=dict)

    def under(self, *prefix: str | int) -> Problem:
        return Problem((*prefix, *self.path), self.message, self.rule)

    def sentence(self) -> str:
        return f"`{dotted(self.path)}` {self.message}" if self.path else f"the body {self.message}"


class FieldError(ValueError):
    """A check of a Struct's own (its ``__post_init__``) failed: the problem, with its path from
    that Struct. A ValueError, so msgspec reports it as a validation error of the Struct (keeping
    it as the error's ``__cause__``, with the Struct's own place in the body)."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def invalid(path: Path, message: str, **rule: Any) -> FieldError:
    return FieldError(Problem(path, message, rule))


# What msgspec's messages say, and how to say it to a client.
_AT = re.compile(r"(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?", re.DOTALL)
_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[\.\.\.\]")
_TYPE = re.compile(r"Expected `(?P<want>[^`]+)`, got `(?P<got>[^`]+)`")
_BOUND = re.compile(r"Expected `(?:int|float)` (?P<op>>=|<=|>|<) (?P<bound>\S+)")
_LENGTH = re.compile(r"Expected `(?P<want>str|array|object)` of length (?P<op>>=|<=) (?P<n>\d+)")
_PATTERN = re.compile(r"Expected `str` matching regex (?P<pattern>'.*')", re.DOTALL)
_MISSING = re.compile(r"Object missing required field `(?P<name>[^`]+)`")
_UNKNOWN = re.compile(r"Object contains unknown field `(?P<name>.*)`", re.DOTALL)
_ENUM = re.compile(r"Invalid enum value .*", re.DOTALL)

_KINDS = {"int": "an integer", "float": "a number", "str": "a string", "bool": "a boolean",
          "null": "null", "array": "an array", "object": "an object"}
_COMPARED = {">=": "at least", "<=": "at most", ">": "greater than", "<": "less than"}
_UNITS = {"str": "characters", "array": "items", "object": "keys"}
_SIZED: dict[type, str] = {mi.StrType: "str", mi.ListType: "array", mi.DictType: "object"}

# What the shared patterns mean (msgspec names a failed pattern by its regex).
PATTERN_MEANINGS = {
    NOT_BLANK: "must not be blank or contain NUL characters",
    NO_NUL: "must not contain NUL characters",
    KEY_PATTERN: "must be printable ASCII characters",
}


def _kinds(union: str) -> str:
    return " or ".join(_KINDS.get(kind.strip(), kind.strip()) for kind in union.split("|"))


def _steps(text: str | None) -> list[str | int | None]:
    """msgspec's path (``.recipe_json.ingredients[0]``, ``[...]`` for a value of a dict) as steps;
    None for a key msgspec does not name."""
    steps: list[str | int | None] = []
    for match in _STEP.finditer(text or ""):
        name, index = match.groups()
        steps.append(name if name is not None else int(index) if index is not None else None)
    return steps


@cache
def _info(root: Any) -> mi.Type:
    return mi.type_info(root)


def _members(node: mi.Type | None) -> list[mi.Type]:
    while isinstance(node, mi.Metadata):
        node = node.type
    if isinstance(node, mi.UnionType):
        return [m for member in node.types for m in _members(member)]
    return [] if node is None else [node]


def _type_at(root: Any, path: Iterable[str | int | None]) -> list[mi.Type]:
    """The types (a union's members) that ``root`` has at ``path``; empty past a free-form
    value."""
    node: mi.Type | None = _info(root)
    for step in path:
        inner = None
        for member in _members(node):
            if isinstance(member, mi.StructType) and isinstance(step, str):
                inner = next((f.type for f in member.fields if f.encode_name == step), None)
            elif isinstance(member, mi.DictType) and not isinstance(step, int):
                inner = member.value_type
            elif isinstance(member, mi.ListType) and isinstance(step, int):
                inner = member.item_type
            if inner is not None:
                break
        node = inner
    return _members(node)


def rule_of(types: Iterable[mi.Type], kind: str, want: str = "") -> dict[str, Any]:
    """The rule a value of one of ``types`` broke: ``kind`` is ``bounds``, ``length`` (of a
    ``want``: str, array or object), ``pattern`` or ``allowed``; {} when none of them has it."""
    for node in types:
        if kind == "bounds" and isinstance(node, (mi.IntType, mi.FloatType)):
            return {name: value for name, value in (
                ("minimum", node.ge), ("maximum", node.le), ("exclusive_minimum", node.gt),
                ("exclusive_maximum", node.lt)) if value is not None}
        if (kind == "length" and isinstance(node, (mi.StrType, mi.ListType, mi.DictType))
                and _SIZED.get(type(node)) == want):
            return {name: value for name, value in (
                ("min_length", node.min_length), ("max_length", node.max_length))
                if value is not None}
        if kind == "pattern" and isinstance(node, mi.StrType) and node.pattern is not None:
            return {"pattern": node.pattern}
        if kind == "allowed" and isinstance(node, mi.LiteralType):
            return {"allowed": list(node.values)}
    return {}


@dataclass(frozen=True)
class Reading:
    """One msgspec message, read: the sentence, which kind of rule it is about (for
    ``rule_of``), and the field it names (a missing or unknown one), if any."""

    message: str
    kind: str = ""
    want: str = ""
    name: str | None = None


def read(message: str, meanings: Mapping[str, str] = PATTERN_MEANINGS) -> Reading:
    """What one of msgspec's messages (without its ``- at`` path) says."""
    if match := _TYPE.fullmatch(message):
        return Reading(f"must be {_kinds(match['want'])}, not {_kinds(match['got'])}", "allowed")
    if match := _BOUND.fullmatch(message):
        return Reading(f"must be {_COMPARED[match['op']]} {match['bound']}", "bounds")
    if match := _LENGTH.fullmatch(message):
        unit = _UNITS[match["want"]]
        return Reading(f"must have {_COMPARED[match['op']]} {match['n']} {unit}", "length",
                       match["want"])
    if match := _PATTERN.fullmatch(message):
        pattern = match["pattern"][1:-1].encode().decode("unicode_escape")
        meaning = meanings.get(pattern, "has the wrong format (it must match the pattern)")
        return Reading(meaning, "pattern")
    if _ENUM.fullmatch(message):
        return Reading("must be one of the allowed values", "allowed")
    if match := _MISSING.fullmatch(message):
        return Reading("is required", name=match["name"])
    if match := _UNKNOWN.fullmatch(message):
        return Reading("is not a field of this object", name=match["name"])
    if message == "Number out of range":
        return Reading("is a number out of range")
    return Reading(message)


def explain(error: msgspec.ValidationError, root: Any) -> Problem:
    """The problem a failed ``msgspec.convert(value, root)`` (or decode) reports. A check of a
    Struct's own (``FieldError``) comes with msgspec's path to that Struct."""
    text = str(error)
    cause = error.__cause__
    if isinstance(cause, FieldError):
        where = _AT.fullmatch(text[len(str(cause)):])
        return cause.problem.under(*_known(_steps(where["path"] if where else None)))
    match = _AT.fullmatch(text)
    assert match is not None  # the pattern matches any text
    steps = _steps(match["path"])
    reading = read(match["message"])
    if reading.name is not None:
        steps.append(reading.name)
    rule = rule_of(_type_at(root, steps), reading.kind, reading.want) if reading.kind else {}
    return Problem(_known(steps), reading.message, rule)


def _known(steps: list[str | int | None]) -> Path:
    """The path up to the first key msgspec does not name (``[...]``)."""
    known: list[str | int] = []
    for step in steps:
        if step is None:
            break
        known.append(step)
    return tuple(known)


def check_shape(value: Any, shape: type[msgspec.Struct], field: str) -> None:
    """``value`` (the free-form JSON of ``field``) has the form of ``shape``: FieldError naming
    the place inside it that does not."""
    try:
        msgspec.convert(value, shape)
    except msgspec.ValidationError as exc:
        raise FieldError(explain(exc, shape).under(field)) from None


# In msgspec's compact JSON every backslash starts an escape: once the escaped backslashes are
# replaced, "\u0000" is a NUL character and '\"' a quote inside a string.
_ESCAPED_BACKSLASH = b"\\\\"
_BRACKETS = bytes.maketrans(b"[{]}", b"(())")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[{]}")


def _deeper_than(escaped: bytes, limit: int) -> bool:
    """Whether the compact JSON (escaped backslashes replaced) nests deeper than ``limit``, in C:
    the text outside strings, its brackets alone, then one innermost level removed at a time."""
    outside = b"".join(escaped.replace(b'\\"', b"__").split(b'"')[::2])
    brackets = outside.translate(_BRACKETS, _NOT_BRACKETS)
    for _ in range(limit):
        if not brackets:
            return False
        brackets = brackets.replace(b"()", b"")
    return bool(brackets)


# The containers a search has met: each one's parent (an index in this list, -1 for the top) and
# its key in that parent; a path is made only for what the search finds.
Links = list[tuple[int, str | int]]


def path_of(links: Links, link: int, *rest: str | int) -> Path:
    """The path of the container at ``links[link]`` (-1: the top), then ``rest``."""
    steps = list(reversed(rest))
    while link >= 0:
        link, step = links[link]
        steps.append(step)
    return tuple(reversed(steps))


def _first_problem(document: Any) -> Problem:
    """Where ``document`` holds a NUL character or nests too deep (in Python: only once the checks
    in C found that it does, and only on a document of bounded size; linear, since a path is made
    only for the place found)."""
    links: Links = []
    pending: list[tuple[Any, int, int]] = [(document, -1, 1)]
    while pending:
        node, link, depth = pending.pop()
        if depth > MAX_DEPTH:
            return Problem(path_of(links, link), f"must not nest deeper than {MAX_DEPTH} levels")
        below = []
        for key, child in node.items() if isinstance(node, dict) else enumerate(node):
            if isinstance(key, str) and "\x00" in key:
                return Problem(path_of(links, link, key), "has a NUL character in its name",
                               {"pattern": NO_NUL})
            if isinstance(child, str) and "\x00" in child:
                return Problem(path_of(links, link, key), "must not contain NUL characters",
                               {"pattern": NO_NUL})
            if isinstance(child, (dict, list)):
                links.append((link, key))
                below.append((child, len(links) - 1, depth + 1))
        pending.extend(reversed(below))
    raise AssertionError("the document has no NUL character and is not too deep")


def check_document(document: Any, field: str, limit: int) -> None:
    """A free-form JSON value PostgreSQL can store: at most ``limit`` bytes as compact JSON (the
    cheap bound, checked first), no NUL character anywhere (jsonb cannot hold one), nested at most
    MAX_DEPTH deep. Linear in C; FieldError naming the place in the document."""
    encoded = msgspec.json.encode(document)
    if len(encoded) > limit:
        raise invalid((field,), f"must be at most {limit} bytes as compact JSON",
                      max_length=limit)
    escaped = encoded.replace(_ESCAPED_BACKSLASH, b"__")
    if b"\\u0000" in escaped or _deeper_than(escaped, MAX_DEPTH):
        raise FieldError(_first_problem(document).under(field))


# How far ahead an entry (a meal, a glass of water, an activity, a weigh-in) may be dated (a clock
# that is a little off, a meal planned for tonight), and how far back (any diary a user may bring
# along).
MAX_AHEAD = timedelta(days=1)
EARLIEST = datetime(1900, 1, 1, tzinfo=timezone.utc)

Moment = Annotated[datetime, msgspec.Meta(
    tz=True, description="An instant with its UTC offset, from 1900 to a day ahead of now.")]


def in_time(moment: datetime | None | UnsetType, field: str) -> None:
    """Raises FieldError (a 400 naming the field) for a Moment outside EARLIEST..now +
    MAX_AHEAD."""
    if isinstance(moment, datetime) and not (
            EARLIEST <= moment <= datetime.now(timezone.utc) + MAX_AHEAD):
        raise invalid((field,), "must be from 1900 to a day ahead of now")


# A diary entry's free-text notes (an activity, a weigh-in).
Notes = Annotated[str, text(1000, min_length=1, blank=False,
                            description="1-1000 characters; trimmed.")]
