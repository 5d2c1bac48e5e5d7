"""Settings from the environment: defaults, bad values named, the JWT secret rules."""

from __future__ import annotations

import pytest

from app.config import ConfigError, ensure_jwt_secret, load_settings

SECRET = "s" * 48


def test_defaults_are_embedded_mode_on_localhost(tmp_path):
    settings = load_settings({"APP_DATA_DIR": str(tmp_path)})
    assert settings.embedded
    assert (settings.host, settings.port, settings.workers) == ("127.0.0.1", 8000, 1)
    assert settings.data_dir == tmp_path


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("APP_PORT", "eighty"),
        ("APP_PORT", "70000"),
        ("APP_WORKERS", "0"),
        ("APP_POOL_SIZE", "-1"),
        ("APP_POOL_ACQUIRE_TIMEOUT", "soon"),
        ("APP_DATABASE_TIMEOUT", "0"),
        ("APP_DATABASE_TIMEOUT", "never"),
        ("APP_READY_HOLD_SECONDS", "-1"),
        ("APP_HOUSEKEEPING_INTERVAL_SECONDS", "-1"),
        ("APP_HOUSEKEEPING_INTERVAL_SECONDS", "hourly"),
        ("APP_STATEMENT_TIMEOUT_MS", "0"),
        ("APP_ACCESS_LOG", "maybe"),
        ("APP_LOG_LEVEL", "loud"),
        ("DATABASE_URL", "mysql://x"),
        ("DATABASE_URL", "postgresql://localhost:notaport/db"),
        ("DATABASE_URL", "postgresql://h1:5432,h2:99999/db"),
        ("DATABASE_URL", "postgresql://%zz@host/db"),
        ("APP_JWT_SECRET", "too-short"),
        ("APP_MIGRATION_DATABASE_URL", "owner@db/app"),
        ("APP_LOGIN_FAILURE_WINDOW_SECONDS", "0"),
        ("APP_LOGIN_FAILURE_WINDOW_SECONDS", "5m"),
        ("APP_LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS", "0"),
        ("APP_LOGIN_MAX_FAILURES_PER_ACCOUNT", "many"),
        ("APP_LOGIN_MAX_FAILURES_PER_ADDRESS", "-5"),
        ("APP_LOGIN_TRUSTED_ADDRESS_DAYS", "0"),
        ("APP_LOGIN_TRUSTED_ADDRESS_DAYS", "366"),
        ("APP_ACCESS_TOKEN_TTL_SECONDS", "59"),
        ("APP_TOKEN_TTL_SECONDS", "an hour"),
        ("APP_REFRESH_TOKEN_TTL_SECONDS", "10"),
        ("APP_GOOGLE_CLIENT_IDS", "a,,b"),
        ("APP_GOOGLE_JWKS_URL", "file:///etc/passwd"),
        ("APP_GOOGLE_JWKS_TIMEOUT_SECONDS", "0"),
        ("APP_CORS_ORIGINS", "app.example.com"),
        ("APP_CORS_ORIGINS", "https://app.example.com/"),
        ("APP_CORS_ORIGINS", "https://app.example.com,*"),
        ("APP_CORS_ORIGINS", "ftp://files.example.com"),
        ("APP_COMPRESSION_MIN_BYTES", "-1"),
        ("APP_COMPRESSION_MIN_BYTES", "1k"),
        ("APP_LEMONSQUEEZY_SIGNING_SECRET", "short"),
        ("APP_LEMONSQUEEZY_SIGNING_SECRET", "x" * 41),
        ("APP_LEMONSQUEEZY_VARIANT_TIERS", "123"),
        ("APP_LEMONSQUEEZY_VARIANT_TIERS", "123:gold"),
        ("APP_LEMONSQUEEZY_VARIANT_TIERS", "abc:pro"),
        ("APP_LEMONSQUEEZY_VARIANT_TIERS", "0:pro"),
        ("APP_LEMONSQUEEZY_VARIANT_TIERS", "123:pro,123:premium"),
        ("APP_LEMONSQUEEZY_VARIANT_TIERS", " , "),
        ("APP_LEMONSQUEEZY_EVENT_RETENTION_DAYS", "0"),
        ("APP_READ_DATABASE_URL", "postgresql://replica/app mysql://other"),
        ("APP_SESSION_SETTINGS", "role"),
        ("APP_STATEMENT_CACHE_SIZE", "-1"),
        ("APP_MIGRATE_ON_START", "sometimes"),
        ("APP_DRAIN_SECONDS", "-1"),
        ("APP_LOG_FORMAT", "xml"),
        ("APP_MAX_CONNECTIONS", "0"),
        ("APP_READ_MAX_LAG_SECONDS", "0"),
    ],
)
def test_bad_value_fails_naming_the_variable(variable, value):
    with pytest.raises(ConfigError, match=variable):
        load_settings({variable: value, "APP_JWT_SECRET": SECRET} | {variable: value})


def test_token_lifetimes_default_to_15_minutes_and_30_days():
    settings = load_settings({"APP_JWT_SECRET": SECRET})
    assert (settings.access_token_ttl_seconds, settings.refresh_token_ttl_seconds) == (
        900, 30 * 86400)
    assert settings.google_client_ids == ()


@pytest.mark.parametrize(("env", "seconds"), [
    ({"APP_ACCESS_TOKEN_TTL_SECONDS": "600"}, 600),
    ({"APP_TOKEN_TTL_SECONDS": "3600"}, 3600),
    ({"APP_TOKEN_TTL_SECONDS": "3600", "APP_ACCESS_TOKEN_TTL_SECONDS": "120"}, 120),
])
def test_the_access_token_lifetime_is_read_under_its_old_name_too(env, seconds):
    assert load_settings({"APP_JWT_SECRET": SECRET, **env}).access_token_ttl_seconds == seconds


def test_an_access_token_cannot_outlive_its_session():
    with pytest.raises(ConfigError, match="APP_ACCESS_TOKEN_TTL_SECONDS"):
        load_settings({"APP_JWT_SECRET": SECRET, "APP_ACCESS_TOKEN_TTL_SECONDS": "7200",
                       "APP_REFRESH_TOKEN_TTL_SECONDS": "3600"})


def test_google_client_ids_are_a_comma_separated_list():
    settings = load_settings({"APP_JWT_SECRET": SECRET,
                              "APP_GOOGLE_CLIENT_IDS": "web.apps.googleusercontent.com, ios"})
    assert settings.google_client_ids == ("web.apps.googleusercontent.com", "ios")


def test_login_limits_are_read_from_the_environment():
    settings = load_settings({
        "APP_LOGIN_FAILURE_WINDOW_SECONDS": "60", "APP_LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS": "3",
        "APP_LOGIN_MAX_FAILURES_PER_ACCOUNT": "10", "APP_LOGIN_MAX_FAILURES_PER_ADDRESS": "100",
        "APP_LOGIN_TRUSTED_ADDRESS_DAYS": "7",
    })
    assert (settings.login_failure_window_seconds, settings.login_max_failures_per_account_address,
            settings.login_max_failures_per_account, settings.login_max_failures_per_address,
            settings.login_trusted_address_days) == (60, 3, 10, 100, 7)
    defaults = load_settings({})
    assert (defaults.login_failure_window_seconds, defaults.login_max_failures_per_account_address,
            defaults.login_max_failures_per_account, defaults.login_max_failures_per_address,
            defaults.login_trusted_address_days) == (300, 5, 20, 50, 30)


def test_lemonsqueezy_settings_are_read_from_the_environment():
    settings = load_settings({"APP_LEMONSQUEEZY_SIGNING_SECRET": "webhook-secret",
                              "APP_LEMONSQUEEZY_VARIANT_TIERS": " 456:pro, 123:premium,123:premium",
                              "APP_LEMONSQUEEZY_EVENT_RETENTION_DAYS": "30"})
    assert settings.lemonsqueezy_signing_secret == "webhook-secret"
    assert settings.lemonsqueezy_variant_tiers == ((123, "premium"), (456, "pro"))
    assert settings.lemonsqueezy_event_retention_days == 30
    defaults = load_settings({})
    assert (defaults.lemonsqueezy_signing_secret, defaults.lemonsqueezy_variant_tiers,
            defaults.lemonsqueezy_event_retention_days) == (None, (), 90)


def test_a_signing_secret_without_variant_tiers_is_refused():
    with pytest.raises(ConfigError, match="APP_LEMONSQUEEZY_VARIANT_TIERS is required"):
        load_settings({"APP_LEMONSQUEEZY_SIGNING_SECRET": "webhook-secret"})


def test_a_migration_url_without_database_url_is_refused():
    with pytest.raises(ConfigError, match="APP_MIGRATION_DATABASE_URL needs DATABASE_URL"):
        load_settings({"APP_MIGRATION_DATABASE_URL": "postgresql://owner@db/app"})


def test_pool_min_above_pool_size_is_refused():
    with pytest.raises(ConfigError, match="APP_POOL_MIN_SIZE"):
        load_settings({"APP_POOL_MIN_SIZE": "20", "APP_POOL_SIZE": "5"})


def test_external_database_without_a_secret_is_refused():
    with pytest.raises(ConfigError, match="APP_JWT_SECRET is required"):
        load_settings({"DATABASE_URL": "postgresql://db/app"})


def test_embedded_mode_generates_a_256_bit_secret_once_and_keeps_it(tmp_path):
    first = ensure_jwt_secret(load_settings({"APP_DATA_DIR": str(tmp_path)}))
    assert first.jwt_secret is not None and len(first.jwt_secret.encode()) >= 32
    assert (tmp_path / "jwt_secret").stat().st_mode & 0o777 == 0o600
    again = ensure_jwt_secret(load_settings({"APP_DATA_DIR": str(tmp_path)}))
    assert again.jwt_secret == first.jwt_secret


def test_a_given_secret_wins_over_the_stored_one(tmp_path):
    settings = ensure_jwt_secret(
        load_settings({"APP_DATA_DIR": str(tmp_path), "APP_JWT_SECRET": SECRET})
    )
    assert settings.jwt_secret == SECRET
    assert not (tmp_path / "jwt_secret").exists()


def test_cors_origins_are_a_list_or_any():
    assert load_settings({}).cors_origins == ()
    assert load_settings({"APP_CORS_ORIGINS": "https://app.example.com, http://localhost:3000"}
                         ).cors_origins == ("https://app.example.com", "http://localhost:3000")
    assert load_settings({"APP_CORS_ORIGINS": "*"}).cors_origins == ("*",)


def test_read_replicas_are_a_list_of_urls_separated_by_spaces():
    settings = load_settings({
        "DATABASE_URL": "postgresql://app@primary/app", "APP_JWT_SECRET": SECRET,
        "APP_READ_DATABASE_URL": " postgresql://app@r1/app \n postgresql://app@r2:5433/app "})
    assert settings.read_database_urls == ("postgresql://app@r1/app",
                                           "postgresql://app@r2:5433/app")


def test_read_replicas_need_an_external_primary():
    with pytest.raises(ConfigError, match="APP_READ_DATABASE_URL needs DATABASE_URL"):
        load_settings({"APP_READ_DATABASE_URL": "postgresql://app@r1/app"})
