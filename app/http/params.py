"""Parameters many routes share: a row's id in the path."""

from __future__ import annotations

from typing import Any

from litestar.params import PathParameter

from app.kit.limits import MAX_BIGINT


def path_id(what: str) -> Any:
    """The bounds of a path parameter that is the id of ``what`` (``Annotated[int,
    path_id("task")]``): a positive bigint, so a larger one is a 400, not a database error."""
    return PathParameter(ge=1, le=MAX_BIGINT, description=f"The {what}'s id.")
