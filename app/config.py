"""Settings from the environment, read and validated once.

Every variable is parsed by one small function; a bad value raises ``ConfigError`` naming the
variable, and the command line turns that into a one-line message and exit status 2.
"""

from __future__ import annotations

import os
import re
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
GOOGLE_JWKS_URL = "https://www.googleapis.com/oauth2/v3/certs"

# What the daily quotas meter (app/usage), in the order of each tier's limits below.
USAGE_KINDS = ("vision_analyses", "recipe_generations", "coach_messages")
MAX_USAGE_LIMIT = 1_000_000


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str | None
    migration_database_url: str | None = None
    read_database_urls: tuple[str, ...] = ()
    data_dir: Path
    jwt_secret: str | None
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    pool_min_size: int = 2
    pool_size: int = 10
    pool_acquire_timeout: float = 2.0
    database_timeout: float = 8.0
    ready_hold_seconds: float = 10.0
    housekeeping_interval_seconds: float = 3600.0
    statement_timeout_ms: int = 5000
    lock_timeout_ms: int = 2000
    idle_in_transaction_timeout_ms: int = 10000
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_seconds: int = 30 * 86400
    google_client_ids: tuple[str, ...] = ()
    google_jwks_url: str = GOOGLE_JWKS_URL
    google_jwks_timeout_seconds: float = 3.0
    session_settings: str = "send"
    statement_cache_size: int = 512
    read_your_writes_seconds: float = 2.0
    read_max_lag_seconds: float = 5.0
    migrate_on_start: bool = True
    drain_seconds: float = 5.0
    max_connections: int = 1000
    keep_alive_seconds: int = 5
    shutdown_timeout_seconds: float = 30.0
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
    cors_origins: tuple[str, ...] = ()
    compression_min_bytes: int = 1024
    lemonsqueezy_signing_secret: str | None = None
    # Lemon Squeezy variant id -> the tier its subscriptions grant, as pairs (Settings is hashable).
    lemonsqueezy_variant_tiers: tuple[tuple[int, str], ...] = ()
    lemonsqueezy_event_retention_days: int = 90
    log_format: str = "text"
    metrics: bool = True
    tracing: bool = False

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


def _database_urls(name: str, raw: str) -> tuple[str, ...]:
    """One or more URLs separated by whitespace (a URL may hold commas: libpq's host lists)."""
    return tuple(_database_url(name, url) for url in raw.split())


def _secret(name: str, raw: str) -> str:
    if len(raw.encode()) < MIN_SECRET_BYTES:
        raise ConfigError(f"{name} must be at least {MIN_SECRET_BYTES} bytes (256 bits)")
    return raw


def _http_url(name: str, raw: str) -> str:
    if not raw.startswith(("https://", "http://")) or len(raw) > 2048:
        raise ConfigError(f"{name} must be an http:// or https:// URL")
    return raw


def _client_ids(name: str, raw: str) -> tuple[str, ...]:
    ids = tuple(part.strip() for part in raw.split(","))
    if not all(ids):
        raise ConfigError(f"{name} must be client ids separated by commas, got {raw!r}")
    return ids


def _text(name: str, raw: str) -> str:
    if not raw.strip():
        raise ConfigError(f"{name} must not be empty")
    return raw


_ORIGIN = re.compile(r"https?://[^/?#\s*]+")


def _origins(name: str, raw: str) -> tuple[str, ...]:
    """Comma-separated origins (scheme://host[:port], no path), or ``*`` for any."""
    origins = tuple(origin.strip() for origin in raw.split(",") if origin.strip())
    if origins == ("*",):
        return origins
    for origin in origins:
        if not _ORIGIN.fullmatch(origin):
            raise ConfigError(f"{name} must be * or origins like https://app.example.com "
                              f"(scheme, host and port, no path), got {origin!r}")
    return origins


def _signing_secret(name: str, raw: str) -> str:
    # Lemon Squeezy's own bounds for a webhook's signing secret.
    if not 6 <= len(raw) <= 40:
        raise ConfigError(f"{name} must be 6-40 characters, as Lemon Squeezy's signing secrets are")
    return raw


TIERS = ("premium", "pro")


def _variant_tiers(name: str, raw: str) -> tuple[tuple[int, str], ...]:
    """``variant:tier,...`` (``123:premium,456:pro``): which tier each Lemon Squeezy variant
    grants."""
    pairs: dict[int, str] = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        variant, _, tier = (piece.strip() for piece in item.partition(":"))
        if not (variant.isascii() and variant.isdigit() and 0 < int(variant) < 2**63):
            raise ConfigError(f"{name}: {item!r} must be <variant id>:<tier>, the id a positive "
                              "integer")
        if tier not in TIERS:
            raise ConfigError(f"{name}: the tier of {item!r} must be one of {', '.join(TIERS)}")
        if pairs.setdefault(int(variant), tier) != tier:
            raise ConfigError(f"{name}: variant {variant} is given two tiers")
    if not pairs:
        raise ConfigError(f"{name} must name at least one variant, as <variant id>:<tier>")
    return tuple(sorted(pairs.items()))


# variable name -> (Settings field, parser)
_VARIABLES: dict[str, tuple[str, Callable[[str, str], object]]] = {
    "DATABASE_URL": ("database_url", _database_url),
    "APP_MIGRATION_DATABASE_URL": ("migration_database_url", _database_url),
    "APP_READ_DATABASE_URL": ("read_database_urls", _database_urls),
    "APP_JWT_SECRET": ("jwt_secret", _secret),
    "APP_HOST": ("host", _text),
    "APP_PORT": ("port", _int(1, 65535)),
    "APP_WORKERS": ("workers", _int(1, 64)),
    "APP_POOL_MIN_SIZE": ("pool_min_size", _int(0, 1000)),
    "APP_POOL_SIZE": ("pool_size", _int(1, 1000)),
    "APP_POOL_ACQUIRE_TIMEOUT": ("pool_acquire_timeout", _float(0.01, 60)),
    "APP_DATABASE_TIMEOUT": ("database_timeout", _float(0.1, 3600)),
    "APP_READY_HOLD_SECONDS": ("ready_hold_seconds", _float(0, 3600)),
    "APP_HOUSEKEEPING_INTERVAL_SECONDS": ("housekeeping_interval_seconds", _float(0, 7 * 86400)),
    "APP_STATEMENT_TIMEOUT_MS": ("statement_timeout_ms", _int(1, 3_600_000)),
    "APP_LOCK_TIMEOUT_MS": ("lock_timeout_ms", _int(1, 3_600_000)),
    "APP_IDLE_IN_TRANSACTION_TIMEOUT_MS": ("idle_in_transaction_timeout_ms", _int(1, 3_600_000)),
    # The access tokens' lifetime under its name from before refresh tokens, still read; the new
    # name, after it, wins when both are set.
    "APP_TOKEN_TTL_SECONDS": ("access_token_ttl_seconds", _int(60, 30 * 86400)),
    "APP_ACCESS_TOKEN_TTL_SECONDS": ("access_token_ttl_seconds", _int(60, 30 * 86400)),
    "APP_REFRESH_TOKEN_TTL_SECONDS": ("refresh_token_ttl_seconds", _int(300, 365 * 86400)),
    "APP_GOOGLE_CLIENT_IDS": ("google_client_ids", _client_ids),
    "APP_GOOGLE_JWKS_URL": ("google_jwks_url", _http_url),
    "APP_GOOGLE_JWKS_TIMEOUT_SECONDS": ("google_jwks_timeout_seconds", _float(0.1, 30)),
    "APP_SESSION_SETTINGS": ("session_settings", _choice("send", "check")),
    "APP_STATEMENT_CACHE_SIZE": ("statement_cache_size", _int(0, 100_000)),
    "APP_READ_YOUR_WRITES_SECONDS": ("read_your_writes_seconds", _float(0, 3600)),
    "APP_READ_MAX_LAG_SECONDS": ("read_max_lag_seconds", _float(0.1, 3600)),
    "APP_MIGRATE_ON_START": ("migrate_on_start", _bool),
    "APP_DRAIN_SECONDS": ("drain_seconds", _float(0, 600)),
    "APP_MAX_CONNECTIONS": ("max_connections", _int(1, 1_000_000)),
    "APP_KEEP_ALIVE_SECONDS": ("keep_alive_seconds", _int(1, 3600)),
    "APP_SHUTDOWN_TIMEOUT_SECONDS": ("shutdown_timeout_seconds", _float(0.1, 600)),
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
    "APP_CORS_ORIGINS": ("cors_origins", _origins),
    "APP_COMPRESSION_MIN_BYTES": ("compression_min_bytes", _int(0, 64 * 1_048_576)),
    "APP_LEMONSQUEEZY_SIGNING_SECRET": ("lemonsqueezy_signing_secret", _signing_secret),
    "APP_LEMONSQUEEZY_VARIANT_TIERS": ("lemonsqueezy_variant_tiers", _variant_tiers),
    "APP_LEMONSQUEEZY_EVENT_RETENTION_DAYS": ("lemonsqueezy_event_retention_days", _int(1, 3650)),
    "APP_LOG_FORMAT": ("log_format", _choice("text", "json")),
    "APP_METRICS": ("metrics", _bool),
    "APP_TRACING": ("tracing", _bool),
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
    if settings.access_token_ttl_seconds > settings.refresh_token_ttl_seconds:
        raise ConfigError("APP_ACCESS_TOKEN_TTL_SECONDS must not exceed "
                          "APP_REFRESH_TOKEN_TTL_SECONDS (an access token ends with its session)")
    if settings.pool_min_size > settings.pool_size:
        raise ConfigError("APP_POOL_MIN_SIZE must not exceed APP_POOL_SIZE")
    if settings.migration_database_url is not None and settings.embedded:
        raise ConfigError(
            "APP_MIGRATION_DATABASE_URL needs DATABASE_URL: it names the role that migrates an "
            "external database, while the service connects with DATABASE_URL"
        )
    if settings.lemonsqueezy_signing_secret is not None and not settings.lemonsqueezy_variant_tiers:
        raise ConfigError(
            "APP_LEMONSQUEEZY_VARIANT_TIERS is required with APP_LEMONSQUEEZY_SIGNING_SECRET: "
            "name the tier each variant grants, e.g. 123:premium,456:pro"
        )
    if settings.read_database_urls and settings.embedded:
        raise ConfigError("APP_READ_DATABASE_URL needs DATABASE_URL: replicas follow an external "
                          "primary")
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
