"""The profiles domain (each user's nutritional profile and targets), as the app wires it."""

from __future__ import annotations

from app.db.queries import queries_in
from app.kit.domain import Module
from app.profiles import repository
from app.profiles.repository import ProfileRepository
from app.profiles.routes import ProfileController

module = Module(
    name="profiles",
    controllers=[ProfileController],
    queries=queries_in(repository),
    constraints=repository.CONSTRAINTS,
    repositories={"profiles": ProfileRepository},
)
