"""The usage domain (daily quotas per subscription tier), as the app wires it."""

from __future__ import annotations

from app.db.queries import queries_in
from app.kit.domain import Module
from app.kit.errors import AccountGone
from app.usage import repository
from app.usage.repository import UsageRepository
from app.usage.routes import UsageController

module = Module(
    name="usage",
    controllers=[UsageController],
    queries=queries_in(repository),
    # A write racing the deletion of its account: 401, as for any gone account.
    constraints={"usage_counters_user_fkey": AccountGone()},
    repositories={"quotas": UsageRepository.of},
)
