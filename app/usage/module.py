"""The usage domain (daily quotas per subscription tier), as the app wires it."""

from __future__ import annotations

from app.db.queries import queries_in
from app.kit.domain import Module
from app.usage import repository
from app.usage.repository import UsageRepository
from app.usage.routes import UsageController

module = Module(
    name="usage",
    controllers=[UsageController],
    queries=queries_in(repository),
    repositories={"quotas": UsageRepository.of},
)
