"""The base every domain repository extends: run a declared query with keyword arguments, decode rows
into its Struct, and turn driver errors into domain errors."""

from __future__ import annotations

from typing import Any, Self, TypeVar

import asyncpg
import msgspec

from app.db.errors import translate
from app.db.pool import Database
from app.db.queries import Query

S = TypeVar("S", bound=msgspec.Struct)

Executor = Database | asyncpg.Connection


def _raise_translated(exc: BaseException) -> None:
    error = translate(exc)
    if error is None:
        raise exc
    raise error from exc


class Repository:
    """Holds the executor (the pool's ``Database`` or a connection inside a transaction)."""

    __slots__ = ("db",)

    def __init__(self, db: Executor):
        self.db = db

    def on(self, db: Executor) -> Self:
        """The same repository on ``db``: e.g. a connection, for several statements in one
        transaction."""
        return type(self)(db)

    async def one(self, query: Query, **values: Any) -> Any:
        """The first row decoded into the query's Struct, or None."""
        try:
            row = await self.db.fetchrow(query.sql, *query.args(values))
        except Exception as exc:
            _raise_translated(exc)
        if row is None:
            return None
        return query.row(*row) if query.row is not None else row

    async def _rows(self, query: Query, values: dict[str, Any]) -> list[asyncpg.Record]:
        try:
            return await self.db.fetch(query.sql, *query.args(values))
        except Exception as exc:
            _raise_translated(exc)

    @staticmethod
    def _decoded(query: Query, rows: list[asyncpg.Record]) -> list[Any]:
        make = query.row
        return [make(*r) for r in rows] if make is not None else rows

    async def all(self, query: Query, **values: Any) -> list[Any]:
        return self._decoded(query, await self._rows(query, values))

    async def page(self, query: Query, **values: Any) -> list[Any] | None:
        """The rows of a list query that joins its page to the caller's users row (``FROM users
        LEFT JOIN (page) ON true WHERE`` the user is active): None when there is no row (the
        account is gone or deactivated), an empty list when its one row is NULLs (an empty page)."""
        rows = await self._rows(query, values)
        if not rows:
            return None
        return [] if rows[0][0] is None else self._decoded(query, rows)

    async def value(self, query: Query, **values: Any) -> Any:
        try:
            return await self.db.fetchval(query.sql, *query.args(values))
        except Exception as exc:
            _raise_translated(exc)

    async def execute(self, query: Query, **values: Any) -> int:
        """Run a statement; return the number of rows it touched."""
        try:
            status = await self.db.execute(query.sql, *query.args(values))
        except Exception as exc:
            _raise_translated(exc)
        tail = status.rsplit(" ", 1)[-1]
        return int(tail) if tail.isdigit() else 0
