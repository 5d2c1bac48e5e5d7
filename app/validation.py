"""Field types shared by the domains' Structs; their bounds reach both validation and OpenAPI."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

MAX_BIGINT = 2**63 - 1

# The characters str.isspace() and str.strip() take for whitespace, spelled out: `\s` means other
# characters in Python's regexes than in JSON Schema's (ECMA-262), and both read these patterns.
WHITESPACE = "\\t-\\r\\x1c- \\x85\\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"

# No NUL character anywhere (PostgreSQL text cannot hold one).
NO_NUL = r"^[^\x00]*$"
# No NUL, and at least one character that is not whitespace (something is left after strip()).
NOT_BLANK = rf"^[^\x00]*[^\x00{WHITESPACE}][^\x00]*$"

Id = Annotated[int, msgspec.Meta(ge=1, le=MAX_BIGINT, description="A positive 64-bit id.")]

# Where the OpenAPI document keeps named schemas (app.openapi writes them there).
REF_TEMPLATE = "#/components/schemas/{name}"

# Any JSON value that jsonb can hold: no NUL character in any string or key. A named schema of the
# OpenAPI document, since it refers to itself.
JSON_VALUE_NAME = "JsonValue"
_JSON_VALUE_REF = {"$ref": REF_TEMPLATE.format(name=JSON_VALUE_NAME)}
_NUL_FREE_OBJECT = {
    "type": "object",
    "propertyNames": {"pattern": NO_NUL},
    "additionalProperties": _JSON_VALUE_REF,
}
JSON_VALUE = {
    "description": "Any JSON value without NUL characters in its strings and keys.",
    "anyOf": [
        {"type": ["null", "boolean", "number"]},
        {"type": "string", "pattern": NO_NUL},
        {"type": "array", "items": _JSON_VALUE_REF},
        _NUL_FREE_OBJECT,
    ],
}


def text(max_length: int, *, min_length: int = 0, blank: bool = True, description: str = ""):
    """A string type with bounds, no NUL characters, and optionally not blank."""
    return Annotated[
        str,
        msgspec.Meta(
            min_length=min_length,
            max_length=max_length,
            pattern=NO_NUL if blank else NOT_BLANK,
            description=description or None,
        ),
    ]


def json_object(description: str, extra_schema: dict[str, Any] | None = None):
    """A free-form JSON object without NUL characters (check its size with ``check_document``:
    JSON Schema cannot say it); ``extra_schema`` adds to what its schema says."""
    return Annotated[
        dict[str, Any],
        msgspec.Meta(
            description=description,
            extra_json_schema={**_NUL_FREE_OBJECT, **(extra_schema or {})},
        ),
    ]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def check_document(document: Any, field: str, limit: int) -> None:
    """A free-form JSON value PostgreSQL can store (no NUL character anywhere: jsonb cannot hold
    one) and at most ``limit`` bytes as compact JSON. Raises ValueError, which msgspec reports as
    a validation error of the request body."""
    if _has_nul(document):
        raise ValueError(f"{field} must not contain NUL characters")
    if len(msgspec.json.encode(document)) > limit:
        raise ValueError(f"{field} must be at most {limit} bytes as JSON")
