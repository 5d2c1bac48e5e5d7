"""The base every domain repository extends: run a declared query with keyword arguments, decode
rows into its type, page through keyset lists, and turn driver errors into domain errors.

A repository is built once per app on the pool's ``Database`` with the app's ``Context`` (the
error translator that knows every module's constraints, the cursor signer); ``on`` gives the same
repository on one connection, and ``transaction`` one inside a transaction, for use cases of
several statements. ``acting_for`` gives it acting for a caller's session: what every
authenticated handler is given, whose statements check that session (``queries.SESSION``).
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, NoReturn, Self, TypeAlias, TypeVar, overload

import asyncpg
import msgspec
from msgspec import UNSET

from app.db.errors import ErrorTranslator
from app.db.pool import Database, Pooled
from app.db.queries import SESSION, Query
from app.db.servers import Reads
from app.kit.errors import AccountGone
from app.kit.metrics import database_error
from app.kit.pages import Cursors, Keyset, Page

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer

R = TypeVar("R")
T = TypeVar("T")
K = TypeVar("K", bound=tuple[Any, ...])

Executor: TypeAlias = "Database | asyncpg.Connection[asyncpg.Record] | Pooled"


def changes(patch: msgspec.Struct, *, nullable: Iterable[str] = ()) -> dict[str, Any]:
    """A PATCH body's fields as an UPDATE's parameters: a field not sent is NULL (the statement
    keeps the column as it is); for each ``nullable`` field, one a client may set to null, a
    ``<field>_sent`` flag says whether it was sent at all."""
    values = {name: None if (value := getattr(patch, name)) is UNSET else value
              for name in patch.__struct_fields__}
    values.update({f"{name}_sent": getattr(patch, name) is not UNSET for name in nullable})
    return values


def _bound(keyset: Keyset[Any, Any], scope: tuple[Any, ...], values: dict[str, Any]) -> str:
    """What a list's cursors are bound to: the list, its filters and the caller."""
    return f"{keyset.name}:{values.get('user_id')}:{scope!r}"


class Context:
    """What every repository of one app shares: the pool (for transactions), where reads that
    may lag run (``Reads``, or the pool itself without replicas), the translator of driver
    errors, and the signer of list cursors."""

    __slots__ = ("database", "reads", "errors", "cursors", "tracer")

    def __init__(self, database: Database | None, errors: ErrorTranslator, cursors: Cursors,
                 reads: Reads | Database | None = None, tracer: Tracer | None = None):
        self.database = database
        self.reads = database if reads is None else reads
        self.errors = errors
        self.cursors = cursors
        self.tracer = tracer  # APP_TRACING: a span per statement, named by its file

    @classmethod
    def standalone(cls, db: Executor) -> Context:
        """For a repository used outside an app (a tool, a test): only SQLSTATE-based error
        translation, and cursors signed with a key of its own."""
        return cls(db if isinstance(db, Database) else None, ErrorTranslator({}),
                   Cursors(secrets.token_urlsafe(32)))


class Repository:
    """Holds the executor (the pool's ``Database``, or a connection inside a transaction), the
    app's context, and the session of the caller it acts for (None: it acts for nobody, and a
    statement that checks a caller's session needs ``session_id`` passed)."""

    __slots__ = ("db", "ctx", "session_id")

    def __init__(self, db: Executor, ctx: Context | None = None, session_id: int | None = None):
        self.db = db
        self.ctx = Context.standalone(db) if ctx is None else ctx
        self.session_id = session_id

    def _copy(self, db: Executor, session_id: int | None) -> Self:
        """This repository on ``db`` acting for ``session_id``; a subclass with state of its own
        passes it on here."""
        return type(self)(db, self.ctx, session_id)

    def on(self, db: Executor) -> Self:
        """The same repository on ``db``: e.g. a connection, for several statements in one
        transaction."""
        return self._copy(db, self.session_id)

    def acting_for(self, session_id: int) -> Self:
        """The same repository acting for the caller whose access token belongs to
        ``session_id``: every statement that checks a session checks this one."""
        return self._copy(self.db, session_id)

    def _args(self, query: Query[Any], values: dict[str, Any]) -> list[Any]:
        if query.for_caller and SESSION not in values:
            if self.session_id is None:
                raise TypeError(f"{query.name} checks the caller's session: run it with a "
                                "repository acting for one, or pass session_id")
            values[SESSION] = self.session_id
        return query.args(values)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Self]:
        """This repository on one connection inside one transaction: committed when the block
        ends, rolled back when it raises."""
        database = self.ctx.database
        if database is None:
            raise TypeError("a repository on a connection cannot start a transaction of its own")
        try:
            async with database.transaction() as conn:
                yield self.on(conn)
        except Exception as exc:  # the commit itself can fail (a deferred check, a lost link)
            self._fail(exc)

    def _reader(self, query: Query[Any]) -> Executor | Reads:
        """Where ``query`` runs: a read that may lag, on the pool, goes through ``Reads``."""
        if query.replica and self.db is self.ctx.database and self.ctx.reads is not None:
            return self.ctx.reads
        return self.db

    @asynccontextmanager
    async def read_transaction(self) -> AsyncIterator[Self]:
        """Like ``transaction``, for reads that may lag (a replica may run them)."""
        reads = self.ctx.reads
        if not isinstance(reads, Reads):
            async with self.transaction() as repo:
                yield repo
            return
        try:
            async with reads.transaction() as conn:
                yield self.on(conn)
        except Exception as exc:
            self._fail(exc)

    async def _call(self, method: str, query: Query[Any], values: dict[str, Any]) -> Any:
        """Run ``query`` with ``method`` (fetchrow, fetch, fetchval, execute) where it belongs,
        in a span of its own when tracing."""
        db = self._reader(query)
        args = self._args(query, values)
        tracer = self.ctx.tracer
        try:
            if tracer is None:
                return await getattr(db, method)(query.sql, *args)
            with tracer.start_as_current_span(f"sql {query.name}",
                                              attributes={"db.system": "postgresql",
                                                          "db.query.summary": query.name}):
                return await getattr(db, method)(query.sql, *args)
        except Exception as exc:
            self._fail(exc)

    def _fail(self, exc: Exception) -> NoReturn:
        """Raise the domain error for a driver error, or the error itself if it is a bug."""
        database_error(exc)
        error = self.ctx.errors.translate(exc)
        if error is None:
            raise exc
        raise error from exc

    async def one(self, query: Query[R], **values: Any) -> R | None:
        """The first row decoded into the query's type, or None."""
        row = await self._call("fetchrow", query, values)
        if row is None:
            return None
        make = query.row
        return make(*row) if make is not None else row

    async def _rows(self, query: Query[Any], values: dict[str, Any]) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await self._call("fetch", query, values)
        return rows

    @staticmethod
    def _decoded(query: Query[R], rows: list[asyncpg.Record]) -> list[R]:
        make = query.row
        return [make(*r) for r in rows] if make is not None else rows  # type: ignore[return-value]

    async def all(self, query: Query[R], **values: Any) -> list[R]:
        return self._decoded(query, await self._rows(query, values))

    async def value(self, query: Query[Any], **values: Any) -> Any:
        return await self._call("fetchval", query, values)

    async def execute(self, query: Query[Any], **values: Any) -> int:
        """Run a statement; return the number of rows it touched."""
        status: str = await self._call("execute", query, values)
        tail = status.rsplit(" ", 1)[-1]
        return int(tail) if tail.isdigit() else 0

    @overload
    async def page(self, query: Query[R], keyset: Keyset[R, K], *, cursor: str | None,
                   limit: int, scope: tuple[Any, ...] = (), parameter: str = "cursor",
                   user_row: bool = True, **values: Any) -> Page[R]: ...
    @overload
    async def page(self, query: Query[R], keyset: Keyset[R, K], *, cursor: str | None,
                   limit: int, scope: tuple[Any, ...] = (), parameter: str = "cursor",
                   user_row: bool = True, convert: Callable[[R], T], **values: Any
                   ) -> Page[T]: ...
    async def page(self, query: Query[R], keyset: Keyset[R, K], *, cursor: str | None,
                   limit: int, scope: tuple[Any, ...] = (), parameter: str = "cursor",
                   user_row: bool = True, convert: Callable[[R], Any] | None = None,
                   **values: Any) -> Page[Any]:
        """A page of up to ``limit`` rows after ``cursor`` (None: the first page), with the cursor
        of the next page. The cursor is bound to the list (``keyset.name``), to ``scope`` (its
        filters) and to the caller (``values["user_id"]``): one made for anything else is a 400
        naming ``parameter``.

        ``user_row``: the statement joins its page to the caller's users row (``FROM users LEFT
        JOIN (page) ON true WHERE`` the user is active): no row means the account is gone or
        deactivated (401), one row of NULLs an empty page. Otherwise the statement checks the
        account itself and an empty page is just empty."""
        cursors = self.ctx.cursors
        if cursor is None:
            position = keyset.first
        else:
            position = cursors.decode(_bound(keyset, scope, values), cursor, keyset.position_type,
                                      parameter)
        values.update(zip(keyset.params, position))
        values["limit"] = limit + 1
        rows = await self._rows(query, values)
        if user_row:
            if not rows:
                raise AccountGone()
            if rows[0][0] is None:
                rows = []
        items = self._decoded(query, rows)
        next_cursor = None
        if len(items) > limit:
            del items[limit:]
            next_cursor = cursors.encode(_bound(keyset, scope, values), keyset.key(items[-1]))
        return Page(items if convert is None else [convert(r) for r in items], next_cursor)
