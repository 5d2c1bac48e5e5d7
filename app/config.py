"""Settings from the environment, read and validated once.

Every variable is parsed by one small function; a bad value raises ``ConfigError`` naming the
variable, and the command line turns that into a one-line message and exit status 2.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

import msgspec
import psycopg
from psycopg.conninfo import conninfo_to_dict

T = TypeVar("T")
N = TypeVar("N", int, float)

MIN_SECRET_BYTES = 32  # HS256 wants a key at least as long as its 256-bit output

# What the daily quotas meter (app/usage), in the order of each tier's limits below.
USAGE_KINDS = ("vision_analyses", "recipe_generations", "coach_messages")
MAX_USAGE_LIMIT = 1_000_000


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str | None
    migration_database_url: str | None = None
    data_dir: Path
    jwt_secret: str | None
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    pool_min_size: int = 2
    pool_size: int = 10
    pool_acquire_timeout: float = 2.0
    statement_timeout_ms: int = 5000
    lock_timeout_ms: int = 2000
    idle_in_transaction_timeout_ms: int = 10000
    token_ttl_seconds: int = 3600
    max_body_bytes: int = 1_048_576
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    hash_concurrency: int = 2
    login_failure_window_seconds: int = 300
    login_max_failures_per_account_address: int = 5
    login_max_failures_per_account: int = 20
    login_max_failures_per_address: int = 50
    login_trusted_address_days: int = 30
    # Units of each of USAGE_KINDS a user of each subscription tier may reserve per local day.
    usage_limits_free: tuple[int, int, int] = (3, 2, 10)
    usage_limits_premium: tuple[int, int, int] = (100, 50, 500)
    usage_limits_pro: tuple[int, int, int] = (100, 50, 500)
    access_log: bool = False
    log_level: str = "info"

    @property
    def embedded(self) -> bool:
        return self.database_url is None

    @property
    def secret_file(self) -> Path:
        return self.data_dir / "jwt_secret"

    @property
    def usage_limits(self) -> dict[str, dict[str, int]]:
        """Subscription tier -> kind -> units per local day."""
        tiers = {"free": self.usage_limits_free, "premium": self.usage_limits_premium,
                 "pro": self.usage_limits_pro}
        return {tier: dict(zip(USAGE_KINDS, limits, strict=True))
                for tier, limits in tiers.items()}


def _number(kind: Callable[[str], N], noun: str, lo: N, hi: N) -> Callable[[str, str], N]:
    def parse(name: str, raw: str) -> N:
        try:
            value = kind(raw)
        except ValueError:
            raise ConfigError(f"{name} must be {noun}, got {raw!r}") from None
        if not lo <= value <= hi:
            raise ConfigError(f"{name} must be between {lo} and {hi}, got {value}")
        return value

    return parse


def _int(lo: int, hi: int) -> Callable[[str, str], int]:
    return _number(int, "an integer", lo, hi)


def _float(lo: float, hi: float) -> Callable[[str, str], float]:
    return _number(float, "a number", lo, hi)


def _bool(name: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _choice(*allowed: str) -> Callable[[str, str], str]:
    def parse(name: str, raw: str) -> str:
        if raw not in allowed:
            raise ConfigError(f"{name} must be one of {', '.join(allowed)}, got {raw!r}")
        return raw

    return parse


def _usage_limits(name: str, raw: str) -> tuple[int, ...]:
    """``vision_analyses=3,recipe_generations=2,coach_messages=10``: every kind, once each."""
    limits: dict[str, int] = {}
    for item in raw.split(","):
        kind, sep, value = (part.strip() for part in item.partition("="))
        if not sep or kind not in USAGE_KINDS or kind in limits:
            raise ConfigError(f"{name} must name each of {', '.join(USAGE_KINDS)} once as "
                              f"kind=limit, got {raw!r}")
        limits[kind] = _int(0, MAX_USAGE_LIMIT)(f"{name} ({kind})", value)
    missing = [kind for kind in USAGE_KINDS if kind not in limits]
    if missing:
        raise ConfigError(f"{name} has no limit for {', '.join(missing)}")
    return tuple(limits[kind] for kind in USAGE_KINDS)


def _database_url(name: str, raw: str) -> str:
    if not raw.startswith(("postgresql://", "postgres://")):
        raise ConfigError(f"{name} must be a postgresql:// URL")
    try:
        params = conninfo_to_dict(raw)
    except psycopg.ProgrammingError as exc:
        raise ConfigError(f"{name} is not a valid connection URL: {exc}") from None
    for port in str(params.get("port") or "5432").split(","):
        if not (port.isdigit() and 1 <= int(port) <= 65535):
            raise ConfigError(f"{name} has an invalid port {port!r}")
    return raw


def _secret(name: str, raw: str) -> str:
    if len(raw.encode()) < MIN_SECRET_BYTES:
        raise ConfigError(f"{name} must be at least {MIN_SECRET_BYTES} bytes (256 bits)")
    return raw


def _text(name: str, raw: str) -> str:
    if not raw.strip():
        raise ConfigError(f"{name} must not be empty")
    return raw


# variable name -> (Settings field, parser)
_VARIABLES: dict[str, tuple[str, Callable[[str, str], object]]] = {
    "DATABASE_URL": ("database_url", _database_url),
    "APP_MIGRATION_DATABASE_URL": ("migration_database_url", _database_url),
    "APP_JWT_SECRET": ("jwt_secret", _secret),
    "APP_HOST": ("host", _text),
    "APP_PORT": ("port", _int(1, 65535)),
    "APP_WORKERS": ("workers", _int(1, 64)),
    "APP_POOL_MIN_SIZE": ("pool_min_size", _int(0, 1000)),
    "APP_POOL_SIZE": ("pool_size", _int(1, 1000)),
    "APP_POOL_ACQUIRE_TIMEOUT": ("pool_acquire_timeout", _float(0.01, 60)),
    "APP_STATEMENT_TIMEOUT_MS": ("statement_timeout_ms", _int(1, 3_600_000)),
    "APP_LOCK_TIMEOUT_MS": ("lock_timeout_ms", _int(1, 3_600_000)),
    "APP_IDLE_IN_TRANSACTION_TIMEOUT_MS": ("idle_in_transaction_timeout_ms", _int(1, 3_600_000)),
    "APP_TOKEN_TTL_SECONDS": ("token_ttl_seconds", _int(60, 30 * 86400)),
    "APP_MAX_BODY_BYTES": ("max_body_bytes", _int(1024, 64 * 1_048_576)),
    "APP_ARGON2_TIME_COST": ("argon2_time_cost", _int(1, 20)),
    "APP_ARGON2_MEMORY_KIB": ("argon2_memory_kib", _int(1024, 4 * 1_048_576)),
    "APP_ARGON2_PARALLELISM": ("argon2_parallelism", _int(1, 64)),
    "APP_HASH_CONCURRENCY": ("hash_concurrency", _int(1, 64)),
    "APP_LOGIN_FAILURE_WINDOW_SECONDS": ("login_failure_window_seconds", _int(1, 86400)),
    "APP_LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS": (
        "login_max_failures_per_account_address", _int(1, 100_000)
    ),
    "APP_LOGIN_MAX_FAILURES_PER_ACCOUNT": ("login_max_failures_per_account", _int(1, 100_000)),
    "APP_LOGIN_MAX_FAILURES_PER_ADDRESS": ("login_max_failures_per_address", _int(1, 100_000)),
    "APP_LOGIN_TRUSTED_ADDRESS_DAYS": ("login_trusted_address_days", _int(1, 365)),
    "APP_USAGE_LIMITS_FREE": ("usage_limits_free", _usage_limits),
    "APP_USAGE_LIMITS_PREMIUM": ("usage_limits_premium", _usage_limits),
    "APP_USAGE_LIMITS_PRO": ("usage_limits_pro", _usage_limits),
    "APP_ACCESS_LOG": ("access_log", _bool),
    "APP_LOG_LEVEL": ("log_level", _choice("critical", "error", "warning", "info", "debug")),
}


def load_settings(environ: Mapping[str, str] | None = None, *, serving: bool = True) -> Settings:
    """Read every APP_* variable and DATABASE_URL; raise ConfigError on the first bad one.
    ``serving=False`` is for tools (migrate, seed) that issue no tokens."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for variable, (field, parse) in _VARIABLES.items():
        raw = env.get(variable)
        if raw is not None and raw != "":
            values[field] = parse(variable, raw)
    values.setdefault("database_url", None)
    values.setdefault("jwt_secret", None)
    data_dir = Path(env.get("APP_DATA_DIR") or ".data").expanduser().resolve()
    settings = Settings(data_dir=data_dir, **values)  # type: ignore[arg-type]
    if settings.pool_min_size > settings.pool_size:
        raise ConfigError("APP_POOL_MIN_SIZE must not exceed APP_POOL_SIZE")
    if settings.migration_database_url is not None and settings.embedded:
        raise ConfigError(
            "APP_MIGRATION_DATABASE_URL needs DATABASE_URL: it names the role that migrates an "
            "external database, while the service connects with DATABASE_URL"
        )
    if serving and not settings.embedded and settings.jwt_secret is None:
        raise ConfigError(
            "APP_JWT_SECRET is required with DATABASE_URL: set it to a random string of 32+ bytes "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    return settings


def ensure_jwt_secret(settings: Settings) -> Settings:
    """In embedded mode without APP_JWT_SECRET, create a 256-bit secret once and keep it in the
    data directory, so tokens survive restarts."""
    if settings.jwt_secret is not None:
        return settings
    path = settings.secret_file
    if path.exists():
        secret = path.read_text().strip()
        _secret(str(path), secret)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secret + "\n")
    return msgspec.structs.replace(settings, jwt_secret=secret)
