"""The profiles domain (each user's nutritional profile and targets), as the app wires it."""

from __future__ import annotations

from app.db.queries import queries_in
from app.kit.domain import Module
from app.kit.errors import AccountGone
from app.profiles import repository
from app.profiles.repository import ProfileRepository
from app.profiles.routes import ProfileController

module = Module(
    name="profiles",
    controllers=[ProfileController],
    queries=queries_in(repository),
    # A write racing the deletion of its account: 401, as for any gone account.
    constraints={**repository.CONSTRAINTS, "profiles_user_fkey": AccountGone()},
    repositories={"profiles": ProfileRepository},
)
