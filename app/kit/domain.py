"""A domain, as the app wires it: one ``Module`` object per domain package.

A module lists everything the app needs of its domain, so that ``create_app`` can wire a list of
them with nothing registered as a side effect of an import:

- ``controllers``: its Litestar controllers;
- ``queries``: the SQL files it runs (``queries_in(repository)``), bound and verified at startup;
- ``constraints``: what a violation of each of its named constraints means to a client;
- ``repositories``: dependency name -> repository class (built on the app's pool), or a function
  of the ``Setup`` that builds the repository (one that needs settings), built once per app and
  given to the handlers of authenticated controllers that take a parameter of that name and type;
- ``services``: dependency name -> object, built once per app from the ``Setup`` (for what is not
  a repository, or is used by public routes);
- ``jobs``: the housekeeping it needs every worker to run (what it deletes -> a pruner);
- ``schemas``: Structs its OpenAPI schemas refer to by name without using them as a type.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import msgspec
from litestar import Controller

from app.accounts.tokens import Tokens
from app.config import Settings
from app.db.queries import Query
from app.db.repository import Context, Repository
from app.kit.errors import AppError

RepoT = TypeVar("RepoT", bound=Repository)

Pruner = Callable[[], Awaitable[int]]


@dataclass
class Setup:
    """What a module's ``services`` and ``jobs`` are built from, once per app."""

    settings: Settings
    context: Context
    tokens: Tokens
    closers: list[Callable[[], object]] = field(default_factory=list)

    def repository(self, cls: type[RepoT]) -> RepoT:
        """A repository of this app, on its pool."""
        assert self.context.database is not None
        return cls(self.context.database, self.context)

    def build(self, make: type[Repository] | Callable[[Setup], Repository]) -> Repository:
        """A module's repository: ``make`` is its class, or a function of this Setup."""
        return self.repository(make) if isinstance(make, type) else make(self)

    def on_close(self, close: Callable[[], object]) -> None:
        """Call ``close`` when the app shuts down (after its last request)."""
        self.closers.append(close)


@dataclass(frozen=True, kw_only=True)
class Module:
    name: str
    controllers: Sequence[type[Controller]] = ()
    queries: Sequence[Query[Any]] = ()
    constraints: Mapping[str, AppError] = field(default_factory=dict)
    repositories: Mapping[str, type[Repository] | Callable[[Setup], Repository]] = field(
        default_factory=dict)
    services: Callable[[Setup], Mapping[str, object]] | None = None
    jobs: Callable[[Setup], Mapping[str, Pruner]] | None = None
    schemas: Sequence[type[msgspec.Struct]] = ()
