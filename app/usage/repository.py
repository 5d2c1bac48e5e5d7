"""Daily quotas data access: each use case is one statement, the check and the change of a
counter included (see sql/usage/reserve_usage.sql)."""

from __future__ import annotations

from typing import Self

from app.config import USAGE_KINDS
from app.db.queries import Query, sql
from app.db.repository import Context, Executor, Repository
from app.kit.domain import Setup
from app.usage.models import ChangeRow, Counter, Kind, Usage, UsageRow, counter

_reserve = sql("usage/reserve_usage", "user_id", "kind", "limits", row=ChangeRow)
_release = sql("usage/release_usage", "user_id", "kind", "limits", row=ChangeRow)
_usage = sql("usage/get_usage", "user_id", "kinds", "limits", row=UsageRow)

Limits = dict[str, dict[str, int]]


class TierLimited(Repository):
    """A repository that knows the limits of each subscription tier (subscription tier -> kind ->
    units per local day, from the settings) and passes them to its statements, which pick the
    caller's."""

    __slots__ = ("limits",)

    def __init__(self, db: Executor, ctx: Context | None = None, limits: Limits | None = None,
                 session_id: int | None = None):
        super().__init__(db, ctx, session_id)
        self.limits: Limits = limits or {}

    @classmethod
    def of(cls, setup: Setup) -> Self:
        assert setup.context.database is not None
        return cls(setup.context.database, setup.context, setup.settings.usage_limits)

    def _copy(self, db: Executor, session_id: int | None) -> Self:
        return type(self)(db, self.ctx, self.limits, session_id)


class UsageRepository(TierLimited):
    __slots__ = ()

    async def _change(self, query: Query[ChangeRow], *, user_id: int, kind: Kind
                      ) -> tuple[bool, Counter] | None:
        row = await self.one(query, user_id=user_id, kind=kind, limits=self.limits)
        if row is None:
            return None
        return row.changed, counter(kind, row.used, row.daily_limit, row.resets_at)

    async def reserve(self, *, user_id: int, kind: Kind) -> tuple[bool, Counter] | None:
        """Whether a unit was reserved, and the counter after; None when the account is gone."""
        return await self._change(_reserve, user_id=user_id, kind=kind)

    async def release(self, *, user_id: int, kind: Kind) -> tuple[bool, Counter] | None:
        """Whether a unit was given back, and the counter after; None when the account is gone."""
        return await self._change(_release, user_id=user_id, kind=kind)

    async def usage(self, *, user_id: int) -> Usage | None:
        rows = await self.all(_usage, user_id=user_id, kinds=list(USAGE_KINDS),
                              limits=self.limits)
        if not rows:
            return None
        first = rows[0]
        return Usage(first.today, first.subscription_tier, first.resets_at,
                     [counter(r.kind, r.used, r.daily_limit, r.resets_at) for r in rows])
