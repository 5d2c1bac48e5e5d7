"""The accounts domain (registration, login, sign-in with Google, sessions and tokens, passwords,
login limits, the account itself), as the app wires it."""

from __future__ import annotations

from collections.abc import Mapping

from app.accounts import limits, repository, sessions
from app.accounts.google import GoogleVerifier
from app.accounts.limits import (
    LoginAttemptRepository,
    LoginLimits,
    prune_expired_failures,
    prune_untrusted_addresses,
)
from app.accounts.passwords import Passwords
from app.accounts.repository import UserRepository
from app.accounts.routes import AuthController, MeController, SessionController
from app.accounts.service import Accounts
from app.accounts.sessions import SessionRepository, prune_expired_sessions
from app.db.queries import queries_in
from app.db.repository import Repository
from app.kit.domain import Module, Pruner, Setup


def _services(setup: Setup) -> Mapping[str, object]:
    passwords = Passwords(setup.settings)
    setup.on_close(passwords.close)
    accounts = Accounts(
        users=setup.repository(UserRepository),
        attempts=setup.repository(LoginAttemptRepository),
        sessions=setup.repository(SessionRepository),
        passwords=passwords,
        tokens=setup.tokens,
        limits=LoginLimits.of(setup.settings),
        session_ttl=setup.settings.refresh_token_ttl_seconds,
        google=GoogleVerifier(setup.settings) if setup.settings.google_client_ids else None,
    )
    return {"accounts": accounts}


def _jobs(setup: Setup) -> Mapping[str, Pruner]:
    db = setup.repository(Repository).db
    login_limits = LoginLimits.of(setup.settings)
    return {
        "expired login failures": lambda: prune_expired_failures(db, login_limits),
        "login addresses no longer trusted": lambda: prune_untrusted_addresses(db, login_limits),
        "ended sessions": lambda: prune_expired_sessions(db),
    }


module = Module(
    name="accounts",
    controllers=[AuthController, SessionController, MeController],
    queries=queries_in(repository, limits, sessions),
    constraints={**repository.CONSTRAINTS, **limits.CONSTRAINTS},
    repositories={"users": UserRepository, "sessions": SessionRepository},
    services=_services,
    jobs=_jobs,
)
