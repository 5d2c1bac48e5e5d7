"""asyncpg errors into domain errors, by SQLSTATE and constraint name.

Each domain's module object says what its constraints mean (constraint name -> domain error); the
app builds one ``ErrorTranslator`` from all of them. Anything not named still maps by SQLSTATE
class to a 4xx or a 503, so a client mistake that slips past validation is never a 500, and a
database that is down or slow is a 503 with Retry-After. Constraint names are the schema's, not
the API's: no error carries one.

Some failures say that the database cannot serve this service at all, whatever the request:
it does not answer, the connection broke, it is read-only (a standby), it lost the prepared
statements (a pooler in transaction mode), it is out of resources, or its schema is not the one
this version expects (every statement is prepared against it at startup, so a missing table or
column at run time means the schema changed since). ``fault_of`` names them: the pool closes the
connection that met one and readiness fails for a while (``app.db.pool.Database``); the request
gets a 503 with Retry-After like any other unavailability.
"""

from __future__ import annotations

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
}
_SCHEMA = ("the database's schema or grants are not the ones this version of the service expects "
           "(migrations rolled back, or not applied yet)")
# The database cannot serve this service: by SQLSTATE, then by its two-character class.
_FAULTS = {
    "25006": "the database is read-only (a standby?)",
    "26000": "a prepared statement was lost (a pooler in transaction mode in between?)",
    "42P05": "a prepared statement exists already (a pooler in transaction mode in between?)",
    "42P01": _SCHEMA,  # undefined_table
    "42703": _SCHEMA,  # undefined_column
    "42883": _SCHEMA,  # undefined_function
    "42704": _SCHEMA,  # undefined_object (a type)
    "3F000": _SCHEMA,  # invalid_schema_name
    "42501": _SCHEMA,  # insufficient_privilege
    "57P01": "the database is restarting",
    "57P02": "the database is restarting",
    "57P03": "the database is starting up",
}
_CONNECTION_FAILED = "the connection to the database failed"
_FAULT_CLASSES = {
    "08": _CONNECTION_FAILED,
    "28": "the database refused the service's login",
    "3D": "the service's database does not exist",
    "53": "the database is out of resources (connections, memory or disk)",
    "58": "the database had a system error",
}
_TIMED_OUT = "the database did not answer in time"


class NoFreeConnection(TimeoutError):
    """No connection of the pool became free within the acquire timeout: the service is busy, the
    database is not at fault."""


def fault_of(exc: BaseException) -> str | None:
    """What ``exc`` says about the database when it says the database cannot serve this service
    (so the connection that met it is not to be used again), else None."""
    if isinstance(exc, asyncpg.PostgresError):
        state = exc.sqlstate or ""
        return _FAULTS.get(state) or _FAULT_CLASSES.get(state[:2])
    if isinstance(exc, NoFreeConnection):
        return None
    if isinstance(exc, TimeoutError):  # before OSError, of which it is a kind
        return _TIMED_OUT
    if isinstance(exc, (asyncpg.InterfaceError, asyncpg.exceptions.InternalClientError, OSError)):
        # Connection closed under us, protocol state lost, the socket failed.
        return _CONNECTION_FAILED
    return None


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
        if isinstance(exc, asyncpg.InvalidCachedStatementError):
            # A table changed under a statement prepared in a transaction; asyncpg has forgotten
            # the statement, so a retry prepares it again.
            return Unavailable("the schema changed under the request, retry")
    if isinstance(exc, NoFreeConnection):
        return Unavailable("no database connection became free in time")
    detail = fault_of(exc)
    return None if detail is None else Unavailable(detail)
