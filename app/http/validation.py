"""Field types shared by the domains' Structs; their bounds reach both validation and OpenAPI."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Annotated, Any

import msgspec
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


def _check_values(document: Any, field: str) -> None:
    """No NUL character in any string or key, and no deeper than MAX_DEPTH; iterative, so a
    hostile document cannot exhaust the interpreter's stack."""
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise ValueError(f"{field} must not contain NUL characters")
        elif isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise ValueError(f"{field} must not nest deeper than {MAX_DEPTH} levels")
            if isinstance(value, dict):
                pending.extend((k, depth) for k in value)
                value = value.values()
            pending.extend((v, depth + 1) for v in value)


def check_document(document: Any, field: str, limit: int) -> None:
    """A free-form JSON value PostgreSQL can store (no NUL character anywhere: jsonb cannot hold
    one), nested at most MAX_DEPTH deep and at most ``limit`` bytes as compact JSON. Raises
    ValueError, which msgspec reports as a validation error of the request body."""
    _check_values(document, field)
    if len(msgspec.json.encode(document)) > limit:
        raise ValueError(f"{field} must be at most {limit} bytes as JSON")


# How far ahead an entry (a meal, a glass of water, an activity, a weigh-in) may be dated (a clock
# that is a little off, a meal planned for tonight), and how far back (any diary a user may bring
# along).
MAX_AHEAD = timedelta(days=1)
EARLIEST = datetime(1900, 1, 1, tzinfo=timezone.utc)

Moment = Annotated[datetime, msgspec.Meta(
    tz=True, description="An instant with its UTC offset, from 1900 to a day ahead of now.")]


def in_time(moment: datetime | None | UnsetType, field: str) -> None:
    """Raises ValueError (a 400 naming the field) for a Moment outside EARLIEST..now + MAX_AHEAD."""
    if isinstance(moment, datetime) and not (
            EARLIEST <= moment <= datetime.now(timezone.utc) + MAX_AHEAD):
        raise ValueError(f"{field} must be from 1900 to a day ahead of now")


# A diary entry's free-text notes (an activity, a weigh-in).
Notes = Annotated[str, text(1000, min_length=1, blank=False,
                            description="1-1000 characters; trimmed.")]
