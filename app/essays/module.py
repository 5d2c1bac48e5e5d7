"""The essays domain (batches of essays moving through a processing pipeline), as the app wires
it."""

from __future__ import annotations

from app.db.queries import queries_in
from app.essays import repository
from app.essays.repository import EssayRepository
from app.essays.routes import BatchController, EssayController
from app.kit.domain import Module

module = Module(
    name="essays",
    controllers=[BatchController, EssayController],
    queries=queries_in(repository),
    constraints=repository.CONSTRAINTS,
    repositories={"essay_batches": EssayRepository},
)
