"""The image and the compose file, checked as files (Docker cannot run here): the points an
operator relies on, and that the compose file's settings are ones the service accepts."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import yaml

from app.config import _VARIABLES, Settings, load_settings
from app.db.pool import session_settings
from tests.support import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
# Compose's top-level keys and the service keys used here (the Compose Specification's names).
TOP_LEVEL = {"name", "services", "volumes", "networks", "configs", "secrets"}
SERVICE_KEYS = {"image", "build", "command", "environment", "volumes", "ports", "depends_on",
                "healthcheck", "user", "restart", "stop_grace_period"}
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}


def _substituted(value: str) -> str:
    """``${NAME:?message}`` and ``${NAME}`` as Compose fills them in, with a sample value."""
    return re.sub(r"\$\{([A-Z_]+)(:\?[^}]*)?\}",
                  lambda m: f"sample-{m.group(1).lower()}-" + "x" * 32, value)


def test_the_compose_file_has_only_known_keys_and_consistent_references():
    assert set(COMPOSE) - {k for k in COMPOSE if k.startswith("x-")} <= TOP_LEVEL
    assert {"primary", "replica", "pgbouncer", "migrate", "api", "proxy"} <= set(SERVICES)
    declared_volumes = set(COMPOSE.get("volumes") or {})
    for name, service in SERVICES.items():
        assert set(service) <= SERVICE_KEYS, name
        assert "image" in service or "build" in service, name
        for other, spec in (service.get("depends_on") or {}).items():
            assert other in SERVICES and spec["condition"] in CONDITIONS, (name, other)
        for volume in service.get("volumes", ()):
            source = volume.split(":", 1)[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), source
            else:
                assert source in declared_volumes, source
        for port in service.get("ports", ()):
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port} beyond this machine"
        build = service.get("build")
        if build is not None:
            assert (ROOT / build / "Dockerfile").exists()


def test_the_service_serves_through_pgbouncer_reads_the_replica_and_holds_only_its_role():
    api = SERVICES["api"]
    env = {k: _substituted(str(v)) for k, v in api["environment"].items()}
    assert set(env) - {"FORWARDED_ALLOW_IPS"} <= set(_VARIABLES), set(env) - set(_VARIABLES)
    assert "ports" not in api  # clients reach it through the proxy only
    settings: Settings = load_settings(env)
    assert urlsplit(settings.database_url).hostname == "pgbouncer"
    assert urlsplit(settings.database_url).username == "pgapi_app"
    assert [urlsplit(u).hostname for u in settings.read_database_urls] == ["replica"]
    assert settings.migrate_on_start is False and settings.migration_database_url is None
    assert settings.statement_cache_size == 0 and settings.session_settings == "check"
    migrate = SERVICES["migrate"]
    assert migrate["command"][-2:] == ["migrate", "apply"]
    assert urlsplit(_substituted(migrate["environment"]["DATABASE_URL"])).hostname == "primary"
    assert api["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_the_role_settings_are_the_timeouts_the_service_checks():
    init = (ROOT / "deploy/primary/init.sh").read_text()
    set_on_role = dict(re.findall(r"ALTER ROLE pgapi_app SET (\w+) = '([^']+)'", init))
    assert set_on_role == session_settings(load_settings({}))


def test_the_proxy_bounds_headers_and_slow_or_idle_connections_for_the_service():
    conf = (ROOT / "deploy/proxy/nginx.conf").read_text()
    assert re.search(r"^\s*large_client_header_buffers 4 4k;", conf, re.M)  # 16 KiB in all
    assert re.search(r"^\s*client_header_timeout 5s;", conf, re.M)
    assert re.search(r"^\s*keepalive_timeout 5s;", conf, re.M)
    assert re.search(r"^\s*limit_conn per_client \d+;", conf, re.M)
    assert "server api:8000;" in conf and "X-Forwarded-For $remote_addr" in conf
    size = re.search(r"client_max_body_size (\d+)m;", conf)
    assert size and int(size.group(1)) * 1048576 == load_settings({}).max_body_bytes
    proxy = SERVICES["proxy"]
    assert proxy["ports"] == ["127.0.0.1:8080:8080"]
    assert proxy["volumes"] == ["./deploy/proxy/nginx.conf:/etc/nginx/nginx.conf:ro"]


def test_pgbouncer_pools_transactions_in_front_of_the_primary():
    ini = (ROOT / "deploy/pgbouncer/pgbouncer.ini").read_text()
    assert re.search(r"^pool_mode = transaction$", ini, re.M)
    assert re.search(r"^pgapi = host=primary port=5432 dbname=pgapi$", ini, re.M)


def test_the_replica_is_a_streaming_copy_of_the_primary():
    command = " ".join(SERVICES["replica"]["command"])
    assert "pg_basebackup -h primary -U replicator" in command and " -R " in command
    assert "exec postgres" in command
    assert "host replication replicator" in (ROOT / "deploy/primary/init.sh").read_text()


def _instruction(name: str) -> list[str]:
    return [line for line in DOCKERFILE.splitlines() if line.startswith(name + " ")]


def test_the_image_installs_the_wheel_from_a_bind_mount_without_the_embedded_server():
    assert "--mount=type=bind,from=build,source=/wheels,target=/wheels" in DOCKERFILE
    assert not any("/wheels" in line for line in _instruction("COPY"))
    install = next(line for line in DOCKERFILE.splitlines() if "pip install" in line)
    assert "[" not in install  # no extras: neither embedded nor tests
    for copied in ("sql", "migrations", "setup.py"):
        assert any(copied in line for line in _instruction("COPY"))


def test_the_image_runs_unprivileged_in_exec_form_with_a_liveness_check_on_its_port():
    users = _instruction("USER")
    assert users and users[-1].split()[1] != "root"
    for instruction in ("CMD", "ENTRYPOINT"):
        for line in _instruction(instruction):
            assert line.split(" ", 1)[1].startswith("["), f"{line}: shell form eats signals"
    check = DOCKERFILE[DOCKERFILE.index("HEALTHCHECK"):].split("CMD", 1)[1].splitlines()[0]
    assert "/health/live" in check and "os.environ.get('APP_PORT'" in check
    assert "APP_MIGRATE_ON_START=false" in DOCKERFILE


@pytest.mark.parametrize("kept_out", [".venv", ".data", ".git", "tests", "bench"])
def test_the_build_context_leaves_out_what_the_image_must_not_hold(kept_out):
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    assert kept_out in ignored


def test_the_pgbouncer_image_starts_pgbouncer_in_place_of_its_shell():
    lines = (ROOT / "deploy/pgbouncer/Dockerfile").read_text().splitlines()
    command = next(line for line in lines if line.startswith("CMD "))
    assert "exec pgbouncer" in command
