"""Limits on failed logins, kept in PostgreSQL so they hold across worker processes and restarts.

Three limits, each a number of failures within one sliding window (``APP_LOGIN_*`` settings):

- per account and address (strict): guessing one account's password from one address;
- per account (looser): guessing it from many addresses. An address that has logged into the
  account within ``login_trusted_address_days`` is exempt, so an attacker who trips this limit
  does not lock the owner out from where they usually log in;
- per address: trying many accounts from one address (registrations count here too).

A refused attempt (429 with ``Retry-After``) is not recorded, so nobody is locked out for longer
than one window after the last failure that counted. An attempt is recorded as a failure by the
same statement that checks the limits (``get_login``, before any hashing) and a correct password
clears it (``record_login``), so a burst of concurrent guesses cannot all slip past the check.
Registration checks the address limit before hashing the same way and counts only when no
account is created; so does sign-in with Google, which counts only when the ID token is refused.
A password change checks the current password under the login limits of the account's email
(``get_login`` again), and clears them when it is right. Each worker deletes expired rows
(``prune_expired_failures`` and ``prune_untrusted_addresses``, run by ``app.kit.jobs``).
"""

from __future__ import annotations

import ipaddress
from typing import Any

import msgspec
from litestar import Request

from app.config import Settings
from app.db.queries import sql
from app.db.repository import Executor, Repository
from app.kit.errors import ErrorDetails, TooManyRequests, Unauthorized
from app.kit.jobs import PRUNE_BATCH, prune_in_batches

UNKNOWN_ADDRESS = "unknown"
IPV6_PREFIX = 64


class LoginLimits(msgspec.Struct, frozen=True):
    """The limits as the statements that apply them take them."""

    window_seconds: int
    per_account_address: int
    per_account: int
    per_address: int
    trusted_seconds: int

    @classmethod
    def of(cls, settings: Settings) -> LoginLimits:
        return cls(
            window_seconds=settings.login_failure_window_seconds,
            per_account_address=settings.login_max_failures_per_account_address,
            per_account=settings.login_max_failures_per_account,
            per_address=settings.login_max_failures_per_address,
            trusted_seconds=settings.login_trusted_address_days * 86400,
        )


class RegistrationAttempt(msgspec.Struct):
    attempt_id: int | None
    address_wait: int | None


_record_login = sql("accounts/record_login", "user_id", "email", "address", "password_hash",
                    "new_password_hash")
_record_registration = sql(
    "accounts/record_registration_attempt", "address", "window_seconds", "per_address",
    row=RegistrationAttempt,
)
_prune_failures = sql("accounts/prune_login_failures", "window_seconds", "batch_size")
_prune_addresses = sql("accounts/prune_login_addresses", "trusted_seconds", "batch_size")

CONSTRAINTS = {
    # The account was deleted between the password check and record_login: as if it never
    # existed.
    "login_addresses_user_fkey": Unauthorized("email or password is incorrect", extra=None),
}

_ACCOUNT_ADDRESS = ("account_address", "too many failed logins for this email from this address")
_ACCOUNT = ("account", "too many failed logins for this email")
_ADDRESS = ("address", "too many failed logins or registrations from this address")


def client_address(request: Request[Any, Any, Any]) -> str:
    """The client as the limits count it: the address uvicorn reports (the peer's, or the one a
    trusted proxy put in X-Forwarded-For); an IPv6 address by its /64 network, since one client
    usually holds a whole /64; ``unknown`` when there is none (a unix socket)."""
    client = request.client
    try:
        ip = ipaddress.ip_address(client.host if client else "")
    except ValueError:
        return UNKNOWN_ADDRESS
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip.packed, IPV6_PREFIX), strict=False))
    return str(ip)


def refuse_if_limited(*, account_address_wait: int | None, account_wait: int | None,
                      address_wait: int | None) -> None:
    """429 naming the limit that lasts longest, when any is reached (a wait is not None)."""
    reached = [
        (wait, scope)
        for wait, scope in ((account_address_wait, _ACCOUNT_ADDRESS), (account_wait, _ACCOUNT),
                            (address_wait, _ADDRESS))
        if wait is not None
    ]
    if reached:
        wait, (limit, detail) = max(reached)
        raise TooManyRequests(f"{detail}; retry after {wait} seconds", retry_after=wait,
                              extra=ErrorDetails(limit=limit))


class LoginAttemptRepository(Repository):
    """The limiter's writes; its check is part of ``accounts/get_login``."""

    __slots__ = ()

    async def record_login(self, *, user_id: int, email: str, address: str, password_hash: str,
                           new_password_hash: str | None) -> bool:
        """After a correct password (``password_hash``, as verified); ``new_password_hash``
        replaces it when it was made with outdated argon2 parameters. False when the account is
        gone or deactivated by now: then nothing is remembered."""
        return await self.value(_record_login, user_id=user_id, email=email, address=address,
                                password_hash=password_hash,
                                new_password_hash=new_password_hash) is not None

    async def begin_registration(self, *, address: str, limits: LoginLimits) -> int:
        """Record a registration attempt from ``address`` (the id ``create_user`` deletes); 429
        when the address has reached its limit."""
        attempt = await self.one(
            _record_registration, address=address, window_seconds=limits.window_seconds,
            per_address=limits.per_address,
        )
        assert attempt is not None  # the statement always returns its one row
        refuse_if_limited(account_address_wait=None, account_wait=None,
                          address_wait=attempt.address_wait)
        assert attempt.attempt_id is not None
        return attempt.attempt_id


async def prune_expired_failures(db: Executor, limits: LoginLimits, *,
                                 batch_size: int = PRUNE_BATCH) -> int:
    """Delete every failure older than the window, a batch per statement; how many went."""
    return await prune_in_batches(Repository(db), _prune_failures, batch_size=batch_size,
                                  window_seconds=limits.window_seconds)


async def prune_untrusted_addresses(db: Executor, limits: LoginLimits, *,
                                    batch_size: int = PRUNE_BATCH) -> int:
    """Delete every login address unused for longer than the trust lasts; how many went."""
    return await prune_in_batches(Repository(db), _prune_addresses, batch_size=batch_size,
                                  trusted_seconds=limits.trusted_seconds)
