"""The accounts domain (registration, login, tokens, passwords, login limits, the account
itself), as the app wires it."""

from __future__ import annotations

from collections.abc import Mapping

from app.accounts import limits, repository
from app.accounts.limits import (
    LoginAttemptRepository,
    LoginLimits,
    prune_expired_failures,
    prune_untrusted_addresses,
)
from app.accounts.passwords import Passwords
from app.accounts.repository import UserRepository
from app.accounts.routes import AuthController, MeController
from app.accounts.service import Accounts
from app.db.queries import queries_in
from app.db.repository import Repository
from app.kit.domain import Module, Pruner, Setup


def _services(setup: Setup) -> Mapping[str, object]:
    passwords = Passwords(setup.settings)
    setup.on_close(passwords.close)
    accounts = Accounts(
        users=setup.repository(UserRepository),
        attempts=setup.repository(LoginAttemptRepository),
        passwords=passwords,
        tokens=setup.tokens,
        limits=LoginLimits.of(setup.settings),
    )
    return {"accounts": accounts}


def _jobs(setup: Setup) -> Mapping[str, Pruner]:
    db = setup.repository(Repository).db
    login_limits = LoginLimits.of(setup.settings)
    return {
        "expired login failures": lambda: prune_expired_failures(db, login_limits),
        "login addresses no longer trusted": lambda: prune_untrusted_addresses(db, login_limits),
    }


module = Module(
    name="accounts",
    controllers=[AuthController, MeController],
    queries=queries_in(repository, limits),
    constraints={**repository.CONSTRAINTS, **limits.CONSTRAINTS},
    repositories={"users": UserRepository},
    services=_services,
    jobs=_jobs,
)
