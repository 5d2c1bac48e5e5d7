"""The query parameters of every keyset-paginated list: the page size and the cursor."""

from __future__ import annotations

from typing import Annotated

from litestar.params import QueryParameter

from app.kit.limits import MAX_CURSOR_LENGTH, MAX_PAGE

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE, description=f"Page size, 1-{MAX_PAGE}.")]
Cursor = Annotated[
    str | None,
    QueryParameter(max_length=MAX_CURSOR_LENGTH, description="next_cursor of the previous page."),
]
