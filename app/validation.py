"""Field types shared by the domains' Structs; their bounds reach both validation and OpenAPI."""

from __future__ import annotations

from typing import Annotated

import msgspec

MAX_BIGINT = 2**63 - 1

# No NUL character anywhere (PostgreSQL text cannot hold one).
NO_NUL = r"^[^\x00]*$"
# No NUL, and at least one character that is not whitespace.
NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"

Id = Annotated[int, msgspec.Meta(ge=1, le=MAX_BIGINT, description="A positive 64-bit id.")]


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
