"""asyncpg errors into domain errors, by SQLSTATE and constraint name.

Each domain's module object says what its constraints mean (constraint name -> domain error); the
app builds one ``ErrorTranslator`` from all of them. Anything not named still maps by SQLSTATE
class to a 4xx or a 503, so a client mistake that slips past validation is never a 500, and a
database that is down or slow is a 503 with Retry-After. Constraint names are the schema's, not
the API's: no error carries one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import asyncpg

from app.kit.errors import AppError, Conflict, InvalidInput, NotFound, Unavailable

# SQLSTATEs (or their two-character classes) that mean "bad input", checked after constraints.
_INVALID_INPUT = {
    "22021": "text must not contain NUL characters or invalid UTF-8",
    "22P05": "text must not contain NUL characters",
    "22001": "a value is too long",
    "22003": "a number is out of range",
    "22P02": "a value has the wrong format",
    "22007": "a date or time has the wrong format",
    "22008": "a date or time is out of range",
    "2200N": "invalid XML",
    "22023": "invalid parameter value",
    "23502": "a required value is missing",
}
_UNAVAILABLE = {
    "57014": "the request took too long and was cancelled",
    "55P03": "the data is locked by another request, retry shortly",
    "40001": "a concurrent change conflicted, retry",
    "40P01": "a concurrent change conflicted, retry",
    "25P03": "the transaction was idle too long",
    "53300": "the database has no free connections",
    "57P01": "the database is restarting",
    "57P02": "the database is restarting",
    "57P03": "the database is starting up",
}


class ErrorTranslator:
    """Driver errors into domain errors, knowing what each named constraint means."""

    __slots__ = ("_constraints",)

    def __init__(self, constraints: Mapping[str, AppError]):
        self._constraints = dict(constraints)

    def _constraint_error(self, exc: asyncpg.PostgresError) -> AppError | None:
        name = getattr(exc, "constraint_name", None)
        known = self._constraints.get(name) if name else None
        if known is None:
            return None
        return type(known)(known.detail, extra=known.extra)

    def translate(self, exc: BaseException) -> AppError | None:
        """The domain error for a driver or connection error, or None if it is a genuine bug."""
        if isinstance(exc, asyncpg.PostgresError):
            known = self._constraint_error(exc)
            if known is not None:
                return known
        return translate(exc)


def translate(exc: BaseException) -> AppError | None:
    """The domain error for a driver or connection error by its SQLSTATE or kind alone, or None
    if it is a genuine bug."""
    if isinstance(exc, asyncpg.PostgresError):
        state = exc.sqlstate or ""
        if state == "23505":
            return Conflict("this conflicts with an existing record")
        if state == "23503":
            return NotFound("a record this refers to does not exist")
        if state == "23514":
            return InvalidInput("a value breaks a rule of the data")
        if state in _INVALID_INPUT:
            return InvalidInput(_INVALID_INPUT[state])
        if state in _UNAVAILABLE:
            return Unavailable(_UNAVAILABLE[state])
        if state.startswith("08"):
            return Unavailable()
        return None
    if isinstance(exc, (asyncpg.InterfaceError, asyncpg.exceptions.InternalClientError)):
        # Connection closed under us, pool closing, protocol state lost: the database side.
        return Unavailable()
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        return Unavailable("no database connection became free in time")
    if isinstance(exc, (OSError, ConnectionError)):
        return Unavailable()
    return None
