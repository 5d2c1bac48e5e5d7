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


def test_read_replicas_are_a_list_of_urls_separated_by_spaces():
    settings = load_settings({
        "DATABASE_URL": "postgresql://app@primary/app", "APP_JWT_SECRET": SECRET,
        "APP_READ_DATABASE_URL": " postgresql://app@r1/app \n postgresql://app@r2:5433/app "})
    assert settings.read_database_urls == ("postgresql://app@r1/app",
                                           "postgresql://app@r2:5433/app")


def test_read_replicas_need_an_external_primary():
    with pytest.raises(ConfigError, match="APP_READ_DATABASE_URL needs DATABASE_URL"):
        load_settings({"APP_READ_DATABASE_URL": "postgresql://app@r1/app"})
