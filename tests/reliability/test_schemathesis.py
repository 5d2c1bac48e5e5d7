"""Schemathesis against the service's own OpenAPI document: every operation, authenticated, with
every check schemathesis has, NUL characters allowed in generated strings. No request may end in a
server error, and every response must match the document, which must describe exactly what the
service accepts: schema-valid requests are not rejected, schema-invalid ones are.

The service is the real one (``python -m app serve``: uvicorn, its HTTP parser, the pool) on a
database of this module's, so what is fuzzed is what runs. The document is built from the app
before collection (schemathesis makes one test per operation from it) and checked to be the one the
service serves. Each case registers an account of its own and sends its token: server-side state
left by earlier cases (an idempotency key used with another body, a deleted account) cannot change
what a schema-valid request gets. Generation is derandomized with a fixed seed and no example
database, so CI runs the same cases every time; the number of cases per operation is bounded.

A schema-valid request may still fail for reasons of state, which schemathesis accepts (404, 409)
and two more: 412, when an ``If-Match`` names another version than the resource has, and 422, when
an ``Idempotency-Key`` was already used with another body (in a workflow, whose calls share an
account). Rules that
JSON Schema cannot state make ``positive_data_acceptance`` skip a case, and only when the 400 names
that rule (``_BEYOND_THE_SCHEMA``):

- a list's ``cursor`` (``before`` for messages) is an opaque token the service signed; no schema
  can say which strings those are;
- the essays of a batch have distinct ``content_id``s (``uniqueItems`` compares whole items);
- no key or string inside a free-form JSON document holds a NUL character (the document says so
  in words: a schema that refers to itself would stop client generators);
- a profile's ``time_zone`` is one PostgreSQL knows, and its ``birth_date`` makes the user 13-120
  years old on their local today;
- a meal or a glass of water is dated from 1900 to a day ahead of now;
- a date of the diary is from 1900 to 2999, a range of them (``from``, ``to``) runs forwards, and
  for /nutrition/days holds at most 366 days, for /weights/trend 3660 (``to`` may default to the
  user's local today);
- a weigh-in's muscle_mass_kg is at most its weight_kg;
- a goal's period fits its type (once for weight_kg only), its target_value the type's range, its
  dates run forwards within 1900-2999, and a weight goal needs a current weight other than its
  target;
- changing the password of an account that has one needs ``current_password``.

It also skips cases that schemathesis labels positive while its own metadata says a part was
generated negative (its coverage phase seeds an optional header it cannot make a valid value for
with an invalid one, e.g. ``If-Match: 0``).

Besides one test per operation, ``test_workflows_conform`` runs schemathesis's stateful phase:
sequences that follow the links schemathesis infers from the document (create, then read, change,
delete), so that the checks needing a sequence (``use_after_free``,
``ensure_resource_availability``) judge something too. ``object_level_authorization`` is on but
needs several identities configured for schemathesis (``[auth.wfc]``); that one user never sees
another's rows is what tests/tasks/test_stateful.py and the routes' tests check.
``max_response_time`` is the one check left off: timings belong in bench/, not in tests.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterator

import msgspec
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from pytest_postgresql.janitor import DatabaseJanitor
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.config import load_settings
from app.server import create_app
from tests.conftest import TEST_SECRET, WORKER, url_for
from tests.helpers import PASSWORD
from tests.support import Server, request

pytestmark = pytest.mark.slow

EXAMPLES_PER_OPERATION = 60
PUBLIC = {"live", "ready", "register", "login", "signInWithGoogle", "refresh", "logout",
          "receiveLemonSqueezyEvent"}
CURSORS = ("cursor", "before")

CONFIG = schemathesis.Config.from_dict({
    "seed": 20260601,
    "generation": {
        "mode": "all",
        "max-examples": EXAMPLES_PER_OPERATION,
        "deterministic": True,
        "database": "none",
        "allow-x00": True,
        # The token is this test's to send (a registered user's, on every call); schemathesis
        # would otherwise make up Authorization headers, and drop them as a "negative" mutation
        # that the real token then undoes. ignored_auth still probes every operation without it.
        "with-security-parameters": False,
    },
    "checks": {
        "enabled": True,
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "412", "422",
                                  "429"],
        },
    },
})

WORKFLOW_SETTINGS = settings(
    max_examples=100, stateful_step_count=10, derandomize=True, database=None, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _document() -> dict:
    """The OpenAPI document of the app, as /schema/openapi.json serves it."""
    settings = load_settings({"DATABASE_URL": "postgresql://unused@/unused",
                              "APP_JWT_SECRET": TEST_SECRET})
    return msgspec.json.decode(msgspec.json.encode(create_app(settings).openapi_schema.to_schema()))


DOCUMENT = _document()
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)


@pytest.fixture(scope="module")
def service(tmp_path_factory, postgresql_noproc) -> Iterator[Server]:
    """The service on a migrated database of this module's (a clone of the session's template)."""
    pg = postgresql_noproc
    name = f"pgapi_fuzz_{WORKER}" if WORKER else "pgapi_fuzz"  # xdist's workers share a server
    janitor = DatabaseJanitor(user=pg.user, host=pg.host, port=pg.port, dbname=name,
                              template_dbname=pg.template_dbname, password=pg.password)
    with janitor:
        url = url_for(pg.host, pg.port, pg.user, pg.password, name)
        # The fuzzed logins fail by the thousand from one address: the address limit would soon
        # refuse the registrations every case needs (the limits have tests of their own).
        server = Server(tmp_path_factory.mktemp("fuzz") / "data",
                        env={"DATABASE_URL": url, "APP_JWT_SECRET": TEST_SECRET,
                             "APP_LOGIN_MAX_FAILURES_PER_ADDRESS": "100000"})
        try:
            server.wait_ready()
            assert request("GET", server.url + "/schema/openapi.json") == (200, DOCUMENT)
            yield server
        finally:
            server.stop()


class Caller:
    """Sends cases to the service, each with a newly registered account's token."""

    def __init__(self, server: Server):
        self.url = server.url
        self.numbers = itertools.count(1)

    def token(self) -> str:
        status, body = request("POST", self.url + "/auth/register", {
            "email": f"fuzz-{next(self.numbers)}@example.com", "name": "Fuzz",
            "password": PASSWORD})
        assert status == 201, body
        return body["access_token"]

    def call(self, case: schemathesis.Case) -> int:
        headers = {"Authorization": f"Bearer {self.token()}"}
        response = case.call(base_url=self.url, headers=headers)
        case.validate_response(response, headers=headers,
                               excluded_checks=_unjudgeable(case, response),
                               transport_kwargs={"base_url": self.url, "headers": headers})
        return response.status_code


def _cursor_rejected(case: schemathesis.Case, extra: object) -> bool:
    return any(extra == {"parameter": name} for name in CURSORS if name in (case.query or {}))


def _content_id_repeated(case: schemathesis.Case, extra: object) -> bool:
    """The 400 of a content_id that an earlier essay of the batch has: named, with no rule."""
    return (case.operation.definition.raw["operationId"] == "createBatch"
            and isinstance(extra, dict) and set(extra) == {"field"}
            and re.fullmatch(r"essays\[\d+\]\.content_id", extra["field"]) is not None)


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _nul_in_a_document(case: schemathesis.Case, extra: object) -> bool:
    """Every string field's pattern forbids NUL, so in a schema-valid body one can only be inside
    a free-form JSON document, where the document says it in words (no schema that refers to
    itself: client generators cannot read one)."""
    return _has_nul(case.body)


def _profile_rule(case: schemathesis.Case, extra: object) -> bool:
    return case.operation.definition.raw["operationId"] in ("putProfile", "updateProfile") and (
        extra in ({"field": "time_zone"}, {"field": "birth_date"}))


_DATED = {"createFoodLog": "eaten_at", "updateFoodLog": "eaten_at", "createWater": "drunk_at",
          "createActivity": "started_at", "updateActivity": "started_at",
          "createWeight": "measured_at", "updateWeight": "measured_at"}


def _dated_out_of_time(case: schemathesis.Case, extra: object) -> bool:
    """A moment more than a day ahead of now (the schema cannot say "now")."""
    field = _DATED.get(case.operation.definition.raw["operationId"])
    return field is not None and extra == {"field": field}


def _dates_refused(case: schemathesis.Case, extra: object) -> bool:
    dates = {"from", "to"} & set(case.query or {}) or {"day"} & set(case.path_parameters or {})
    return extra in ({"parameter": "from"}, {"parameter": "to"}, {"parameter": "day"}) and bool(
        dates)


def _current_password_required(case: schemathesis.Case, extra: object) -> bool:
    """The fuzzed account has a password, so changing it needs the current one."""
    return (case.operation.definition.raw["operationId"] == "changePassword"
            and extra == {"field": "current_password"})


def _weight_rule(case: schemathesis.Case, extra: object) -> bool:
    return case.operation.definition.raw["operationId"] in ("createWeight", "updateWeight") and (
        extra == {"field": "muscle_mass_kg"})


_GOAL_FIELDS = {"goal_type", "period", "target_value", "starts_on", "ends_on"}


def _goal_rule(case: schemathesis.Case, extra: object) -> bool:
    """A goal's period and target range by its type, and its dates in order."""
    return (case.operation.definition.raw["operationId"] in ("createGoal", "updateGoal")
            and isinstance(extra, dict) and extra.get("field") in _GOAL_FIELDS)


_BEYOND_THE_SCHEMA = (_cursor_rejected, _content_id_repeated, _nul_in_a_document, _profile_rule,
                      _dated_out_of_time, _dates_refused, _current_password_required, _weight_rule,
                      _goal_rule)


def _unjudgeable(case: schemathesis.Case, response: schemathesis.Response) -> list:
    """The checks this case's outcome says nothing about (see the module's docstring)."""
    if case.meta is None or case.meta.generation.mode is not GenerationMode.POSITIVE:
        return []
    if any(part.mode is GenerationMode.NEGATIVE for part in case.meta.components.values()):
        return [positive_data_acceptance]
    if response.status_code == 400:
        extra = response.json().get("extra")
        if any(rule(case, extra) for rule in _BEYOND_THE_SCHEMA):
            return [positive_data_acceptance]
    return []


@pytest.fixture(scope="module")
def caller(service: Server) -> Caller:
    return Caller(service)


class Outcomes:
    """The statuses one operation's cases got."""

    def __init__(self) -> None:
        self.operation_id: str | None = None
        self.statuses: Counter[int] = Counter()


@pytest.fixture
def outcomes() -> Iterator[Outcomes]:
    """Checked after all of an operation's cases ran: some ran, and if the operation needs a
    token, some got past authentication (the fuzzing did not just collect 401s)."""
    seen = Outcomes()
    yield seen
    assert seen.operation_id is not None, "no case ran"
    if seen.operation_id not in PUBLIC:
        assert set(seen.statuses) - {401}, (seen.operation_id, dict(seen.statuses))


@schema.parametrize()
# ``outcomes`` is meant to outlive each example: it sums up all of them.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_operation_conforms(case: schemathesis.Case, caller: Caller,
                                  outcomes: Outcomes) -> None:
    outcomes.operation_id = case.operation.definition.raw["operationId"]
    outcomes.statuses[caller.call(case)] += 1


def test_every_check_is_on():
    """``checks.enabled`` turns on every check schemathesis has (``max_response_time`` aside: it
    needs a time limit)."""
    load_all_checks()
    checks = CONFIG.projects.get_default().checks
    names = CHECKS.get_all_names()
    assert {"not_a_server_error", "response_schema_conformance", "negative_data_rejection",
            "positive_data_acceptance"} <= set(names)
    assert all(getattr(checks, name).enabled for name in names)
    assert not checks.max_response_time.enabled



def test_workflows_conform(caller: Caller) -> None:
    """Schemathesis's stateful phase: sequences of calls that follow the links it infers from the
    document (create a task, then read, change or delete it), so that the checks needing a
    sequence (use_after_free, ensure_resource_availability) judge something too. One new account
    per sequence."""
    seen: Counter[tuple[str, int]] = Counter()

    class Workflow(schema.as_state_machine()):
        def setup(self) -> None:
            self.headers = {"Authorization": f"Bearer {caller.token()}"}

        def get_call_kwargs(self, case: schemathesis.Case) -> dict:
            return {"base_url": caller.url, "headers": self.headers}

        def validate_response(self, response: schemathesis.Response, case: schemathesis.Case,
                              additional_checks: list | None = None, **kwargs: object) -> None:
            seen[case.operation.path, response.status_code] += 1
            case.validate_response(response, headers=self.headers,
                                   additional_checks=additional_checks,
                                   excluded_checks=_unjudgeable(case, response),
                                   transport_kwargs=kwargs, recorder=self.recorder)

    Workflow.run(settings=WORKFLOW_SETTINGS)
    followed = {path for (path, status), n in seen.items() if "{" in path and status < 300}
    assert {"/tasks/{task_id}", "/conversations/{conversation_id}"} <= followed, seen
