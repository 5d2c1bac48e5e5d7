"""SQL files as query objects.

Each file under ``sql/<domain>/<name>.sql`` holds one statement whose parameters are written as psql
variables, ``:'name'``, so the file runs verbatim in psql (``psql -v name=value -f file``). At startup
each file is read once and rewritten to asyncpg's ``$1..$n``; the Python side declares, next to the
code that runs it, which parameters it passes and which Struct a row decodes into:

    _get = sql("tasks/get_task", "user_id", "task_id", row=Task)   # a Query[Task]

Each domain's module object lists its queries (``queries_in(repository)``); ``bind_queries`` binds
them to their files and fails on an unknown or unused parameter name, a missing file, or a file no
module declares. ``verify_queries`` then prepares each statement on a live connection and checks
that its result columns are exactly the row Struct's fields, in order, so ``Task(*record)`` is
safe. No registry fills up as modules are imported: what the service runs is what its modules
list.

A statement run on behalf of a caller checks the caller's session with ``:'session_id'``
(``SESSION``): the repository acting for the caller fills it in (``Repository.acting_for``), so a
declaration does not list it and no route passes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, Generic, TypeVar, overload

import asyncpg

from app.db.pool import Pooled
from app.resources import SQL_ROOT

R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


# The parameter of every statement that acts for a caller: the id of the session of the caller's
# access token. Supplied by the repository, not declared.
SESSION = "session_id"

# Order matters: comments and literals are matched first so that nothing inside them is taken for a
# parameter; ':' followed by a quoted name is a parameter; a bare ':name' or ':"name"' is rejected
# because it would mean something else in psql.
_TOKEN = re.compile(
    r"""
      (?P<comment>--[^\n]*|/\*.*?\*/)
    | (?P<param>:'(?P<name>[A-Za-z_][A-Za-z0-9_]*)')
    | (?P<estring>[Ee]'(?:[^'\\]|\\.|'')*')
    | (?P<string>'(?:[^']|'')*')
    | (?P<ident>"(?:[^"]|"")*")
    | (?P<dollar>\$(?P<tag>[A-Za-z_][A-Za-z0-9_]*)?\$.*?\$(?P=tag)?\$)
    | (?P<cast>::)
    | (?P<bad>:(?:[A-Za-z_][A-Za-z0-9_]*|"[^"]*"|'[^']*'))
    """,
    re.VERBOSE | re.DOTALL,
)


class QueryError(Exception):
    """A SQL file or a declaration of it is wrong; raised at startup, never per request."""


def parse(text: str, *, origin: str = "<sql>") -> tuple[str, tuple[str, ...]]:
    """Rewrite ``:'name'`` parameters to ``$n`` (the same name reuses its number).

    Returns the rewritten SQL and the parameter names in ``$n`` order.
    """
    names: dict[str, int] = {}
    out: list[str] = []
    pos = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "bad":
            raise QueryError(f"{origin}: use :'name' for parameters, found {match.group()!r}")
        if kind != "param":
            continue
        name = match.group("name")
        number = names.setdefault(name, len(names) + 1)
        out.append(text[pos : match.start()])
        out.append(f"${number}")
        pos = match.end()
    out.append(text[pos:])
    statement = "".join(out).strip()
    # The statement with comments and quoted text blanked out: what is left must be one statement.
    skeleton = _TOKEN.sub(lambda m: "" if m.lastgroup == "comment" else "_" if m.lastgroup != "cast" else "::", statement).strip()
    if not skeleton:
        raise QueryError(f"{origin}: no statement")
    if ";" in skeleton.rstrip().rstrip(";"):
        raise QueryError(f"{origin}: one statement per file")
    return statement.rstrip().rstrip(";").rstrip(), tuple(names)


class Query(Generic[R_co]):
    """One statement: its name, the rewritten SQL, its parameters, and the type its rows decode
    into (``Query[Task]``; ``Query[Record]`` for a statement read as raw records or a value)."""

    __slots__ = ("name", "declared", "row", "replica", "sql", "params", "_param_set", "path",
                 "for_caller")

    def __init__(self, name: str, declared: Sequence[str], row: type[R_co] | None,
                 replica: bool = False):
        self.name = name
        self.declared = tuple(declared)
        self.row = row
        self.replica = replica  # a read that may lag: a replica may answer it
        self.sql: str = ""
        self.params: tuple[str, ...] = ()
        self._param_set: frozenset[str] = frozenset()
        self.path: Path | None = None
        self.for_caller = False

    def bind(self, text: str, path: Path) -> None:
        statement, params = parse(text, origin=str(path))
        unknown = set(self.declared) - set(params)
        unused = set(params) - set(self.declared) - {SESSION}
        if unknown:
            raise QueryError(f"{path}: the code passes {sorted(unknown)}, which the SQL never uses")
        if unused:
            raise QueryError(f"{path}: the SQL uses {sorted(unused)}, which the code never passes")
        if len(set(self.declared)) != len(self.declared):
            raise QueryError(f"{self.name}: a parameter is declared twice")
        self.sql, self.params, self.path = statement, params, path
        self._param_set = frozenset(params)
        self.for_caller = SESSION in params and SESSION not in self.declared

    def args(self, values: Mapping[str, Any]) -> list[Any]:
        """The positional arguments for ``$1..$n`` from keyword arguments, checked by name."""
        if values.keys() != self._param_set:
            raise TypeError(
                f"{self.name} takes {sorted(self._param_set)}, got {sorted(values)}"
            )
        return [values[p] for p in self.params]

    def __repr__(self) -> str:
        return f"Query({self.name!r})"


# sql/tools/ holds statements of command-line tools (python -m app seed), sql/bootstrap/ those that
# set up the embedded server: bound by the tools that run them, not by the service, so the
# service's check for files no module declares leaves them out.
TOOLS = ("tools/", "bootstrap/")


@overload
def sql(name: str, *params: str, replica: bool = False) -> Query[asyncpg.Record]: ...
@overload
def sql(name: str, *params: str, row: type[R], replica: bool = False) -> Query[R]: ...
def sql(name: str, *params: str, row: type[Any] | None = None, replica: bool = False
        ) -> Query[Any]:
    """Declare a query by file name (``domain/name``), the parameters the code passes, and the
    type each row decodes into (a Struct whose fields are the statement's columns, in order).
    ``replica``: a read that may lag (a list, a search, stats, one row), which a replica may
    answer when the request is not pinned to the primary (``app.db.servers``).
    Nothing is read or registered here: the module that owns the query lists it, and
    ``bind_queries`` reads its file at startup."""
    return Query(name, params, row, replica)


def queries_in(*namespaces: ModuleType) -> tuple[Query[Any], ...]:
    """The queries declared at the top level of these Python modules (a domain's repository
    module, say), directly or as the values of a top-level dict (one per sort order, say), for
    its module object to list."""
    found: list[Query[Any]] = []
    for namespace in namespaces:
        for value in vars(namespace).values():
            if isinstance(value, Query):
                found.append(value)
            elif isinstance(value, dict):
                found += [v for v in value.values() if isinstance(v, Query)]
    return tuple(found)


def bind_queries(queries: Iterable[Query[Any]], root: Path = SQL_ROOT, *,
                 complete: bool = False) -> dict[str, Query[Any]]:
    """Read and check the file of every query (a query may be listed more than once; a name
    declared by two different objects is an error). With ``complete``, every ``.sql`` file under
    the domains' folders (all but TOOLS) must be among them: a file nobody runs is a mistake."""
    declared: dict[str, Query[Any]] = {}
    for query in queries:
        if declared.setdefault(query.name, query) is not query:
            raise QueryError(f"{query.name} is declared twice")
    files = {str(p.relative_to(root).with_suffix("")): p for p in sorted(root.glob("*/*.sql"))}
    missing = sorted(set(declared) - set(files))
    if missing:
        raise QueryError(f"no SQL file for {missing} under {root}")
    orphans = sorted(n for n in set(files) - set(declared) if not n.startswith(TOOLS))
    if orphans and complete:
        raise QueryError(f"SQL files that no code declares: {orphans}")
    for name, query in declared.items():
        query.bind(files[name].read_text(), files[name])
    return declared


async def verify_queries(conn: asyncpg.Connection[asyncpg.Record] | Pooled,
                         queries: Iterable[Query[Any]]) -> None:
    """Prepare every statement against the live schema and check row shapes against Structs."""
    for query in queries:
        try:
            statement = await conn.prepare(query.sql)
        except Exception as exc:  # asyncpg raises many kinds; all are startup errors here
            raise QueryError(f"{query.path}: does not prepare: {exc}") from exc
        if query.row is None:
            continue
        columns = tuple(a.name for a in statement.get_attributes())
        fields = getattr(query.row, "__struct_fields__", None)
        if columns != fields:
            raise QueryError(
                f"{query.path}: returns columns {columns}, but {query.row.__name__} has {fields}"
            )
