"""Schemathesis against every service's own OpenAPI document, in-process (ASGI) with the real
mongod and broker behind it, with every check schemathesis has: no 5xx; status codes, content
types, headers and bodies as documented; what the schema refuses is refused
(negative_data_rejection) and what it allows is taken (positive_data_acceptance, but for the
rules no schema can state, RULES_NO_SCHEMA_STATES); a missing required header is refused; a
method a path lacks is 405 with Allow, and OPTIONS names exactly the documented methods; no
token and a bad one are refused wherever the document asks for one (ignored_auth); and, along
sequences of operations, what was just created can be read (ensure_resource_availability),
what was deleted cannot (use_after_free: the one DELETE, leaving a partnership, has no read of
its own yet) and a partner's objects are no other partner's to read
(object_level_authorization).

Each (service, caller) pair fuzzes on behalf of a partner of its own: path parameters point
at that partner and its commitment, so the fuzzer reaches the handlers and the domain, not
only 404s, and one pair's destruction (a withdrawal) cannot blind another.

Each operation runs schemathesis' three phases: the schema's examples, coverage (boundary,
null and wrong-type values of every field and parameter, deterministic: it found the 500 on
`PATCH /partners/{id}` with `{"legal_name": null}`) and fuzzing (valid and invalid input).
Then each pair runs sequences along the links schemathesis infers (its stateful phase), a
partner's with another partner as its peer. Bounded and reproducible in the suite:
derandomized Hypothesis, a small max_examples, no deadline, no example database. `make
faults` runs it randomized and deeper (PACT_FUZZ_RANDOM=1, PACT_FUZZ_EXAMPLES,
PACT_FUZZ_SEQUENCES); PACT_FUZZ_ONLY=text runs only what its label ("registry as partner:
POST /partners", "... : sequences") holds.

Schemathesis' pytest integration cannot drive this: `from_fixture` breaks on pytest 9.2 (it
writes `Function._nodeid`, gone in pytest 9), and its plugin ends every ASGI lifespan after
each test item, which a Runtime cannot restart. So each operation's test is built with the
very function that integration uses (`build_operation_test`, private: schemathesis is pinned)
and run here, every failure collected and reported together. Schemathesis' ASGI client runs
the apps' lifespans on its own event-loop thread, the one its requests are served on."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import Flaky
from pymongo import MongoClient
from schemathesis.checks import CHECKS as REGISTERED_CHECKS
from schemathesis.checks import CheckContext, CheckFunction, load_all_checks, not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.transport import Response
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.pytest._test_builder import build_operation_test
from schemathesis.python import asgi
from schemathesis.specs.openapi import checks as openapi_checks
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    ensure_resource_availability,
    ignored_auth,
    missing_required_header,
    object_level_authorization,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
    use_after_free,
)

from pact_common.dev_keys import DEV_ADMIN_API_KEY
from tests.conftest import MONGO_URL
from tests.security.services import SERVICES, pledge_body
from tests.support.auth import bearer
from tests.support.registry import registration

pytestmark = [
    pytest.mark.integration,
    # schemathesis' strategies draw from `random`, which Hypothesis seeds (derandomized).
    pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning"),
]

MAX_EXAMPLES = int(os.environ.get("PACT_FUZZ_EXAMPLES", "15"))
DERANDOMIZE = not os.environ.get("PACT_FUZZ_RANDOM")
#: Sequences of operations per service and role, of up to 10 steps each
MAX_SEQUENCES = int(os.environ.get("PACT_FUZZ_SEQUENCES", "10"))
#: Only the operations whose "service as role: METHOD /path" holds this text (to iterate).
ONLY = os.environ.get("PACT_FUZZ_ONLY", "")
ROLES = ("secretariat", "partner")
TARGETS = [(service.name, role) for service in SERVICES for role in ROLES]

#: Rules of the domain that no JSON Schema can state (they hold across fields, against stored
#: state, for one role or against today's date), by operation, each as the API names it in a
#: 422: the error's `code` (or each problem's `rule`), alone or `@` the field it is about. A
#: request valid by the schema refused for one of these is the API doing its job; refused for
#: anything else, the schema says less than the API enforces, and positive_data_acceptance
#: fails.
_SIZE_CLASS = {
    "size_class_required": "a company or an SME gives its size_class",
    "size_class_not_applicable": "any other organisation gives none",
    "sme_size_class": "an SME is micro, small or medium",
}
_TARGET = {
    "deadline_before_start": "the deadline comes after start_date",
    "target_not_above_baseline": "target_value is above the baseline",
    "milestone_after_deadline": "milestones are due before the deadline",
    "milestones_out_of_order": "each milestone is due after the start and the one before",
    "milestones_not_increasing": "each milestone's value is above the baseline and the one before",
    "milestone_above_target": "no milestone is above the target",
}
_PARTNERSHIP = {"unknown_partnership": "a partnership the platform knows"}
_CELLS = {  # a target's cells (issue 17)
    "cell_without_scope": "a cell names a level, a country or a gender",
    "duplicate_cell": "no cell named twice",
}
_BREAKDOWNS = {"breakdown_sum": "by_level, by_country and by_gender sum to people_trained"}
RULES_NO_SCHEMA_STATES: dict[str, dict[str, str]] = {
    "POST /partners": {**_SIZE_CLASS, **_PARTNERSHIP},
    "POST /partners/{partner_id}/partnerships": _PARTNERSHIP,
    "PATCH /partners/{partner_id}": {  # against the stored profile, which the body need not name
        **_SIZE_CLASS,
        "hq_country_not_in_countries": "countries keep the headquarters country",
    },
    # people's accounts (issue 15): a role's side, against the caller's role and the body
    "POST /invitations": {
        "invalid_role": "a partner's role with a partner, the secretariat's none"
    },
    "PATCH /users/{user_id}": {"invalid_role": "a partner's person keeps a partner's role"},
    "POST /partners/{partner_id}/users/first": {"invalid_password": "not the email address"},
    "POST /commitments": {
        **_TARGET,
        **_PARTNERSHIP,
        "unknown_partner": "a partner the platform knows",
        "partner_not_active": "an active partner",
        "not_a_member": "of a partnership the partner has joined",
        "required@partner_id": "the secretariat names the partner it pledges for",
    },
    "POST /commitments/{commitment_id}/amendments": {  # against the commitment's terms
        **_TARGET,
        "deadline_in_past": "a deadline not before today",
        "nothing_to_amend": "a change of something",
        "past_milestone_changed": "milestones due before today stay as they were",
    },
    "POST /partnership-targets": {**_TARGET, **_PARTNERSHIP, **_CELLS},
    "POST /partnership-targets/{target_id}/calls": {  # against the target's own cells
        **_CELLS,
        "target_not_split": "a target split into cells",
        "not_a_cell_of_the_target": "a cell of the target",
        "above_the_cell": "no more than the cell needs",
    },
    "POST /silences": {  # against the clock
        "silence_ends_too_soon": "an end after the start and after now",
    },
    "POST /progress": {
        **_BREAKDOWNS,
        "event_id_required": "a signed report (pact-signature) carries its event_id",
    },
    "POST /progress/commitments/{commitment_id}/periods/{period}/correction": {
        **_BREAKDOWNS,  # and the period against the commitment's cadence, dates and today:
        "period_cadence_mismatch": "a quarter of a quarterly commitment, a month of a monthly",
        "period_out_of_range": "within the commitment's start and deadline (and grace)",
        "period_in_future": "a period that has begun",
        "reported_after_deadline": "a period that begins by the deadline plus grace",
        "reported_after_withdrawal": "a period that begins by the commitment's withdrawal",
    },
}


def _named_rules(response: Response) -> set[tuple[str, str | None]]:
    """The rules a 422 in the platform's error shape names (pact_common.http), with fields."""
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return set()
    problems = error.get("problems") or [{"rule": error.get("code"), "field": error.get("field")}]
    return {(p.get("rule"), p.get("field")) for p in problems}


def _whole_float_at(body: Any, field: str | None) -> bool:
    """Whether the body holds an integer spelled as a float (9339.0) at `field` (a.0.b)."""
    for key in (field or "").split("."):
        if isinstance(body, list) and key.isdigit() and int(key) < len(body):
            body = body[int(key)]
        elif isinstance(body, dict) and key in body:
            body = body[key]
        else:
            return False
    return isinstance(body, float) and body.is_integer()


def _stated(case: schemathesis.Case, rule: str, field: str | None) -> bool:
    """Refused for a rule the schema cannot state. That includes `int_type` for an integer
    spelled 9339.0: the platform takes integers as JSON spells them (its progress reports on
    Kafka too, so POST /progress must), which JSON Schema cannot say (2020-12, hence OpenAPI
    3.1, reads 9339.0 as the integer 9339, so schemathesis sends it as one)."""
    stated = RULES_NO_SCHEMA_STATES.get(case.operation.label, {})
    if rule in stated or f"{rule}@{field}" in stated:
        return True
    return rule == "int_type" and _whole_float_at(case.body, field)


def positive_data_acceptance(
    ctx: CheckContext, response: Response, case: schemathesis.Case
) -> None:
    """Schemathesis' own check, but for a 422 naming only rules no schema can state."""
    try:
        openapi_checks.positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        named = _named_rules(response)
        if response.status_code != 422 or not named:
            raise
        if not all(_stated(case, rule, field) for rule, field in named):
            raise


def negative_data_rejection(
    ctx: CheckContext, response: Response, case: schemathesis.Case
) -> bool | None:
    """Schemathesis' own check, but a 413 too_large is a refusal too: a body over the
    service's limit (64 KB; a learners sketch past its maxLength can make one) is refused
    before it is read, so before any field of it is looked at."""
    if response.status_code == 413 and tuple(rule for rule, _ in _named_rules(response)) == (
        "too_large",
    ):
        return None
    return openapi_checks.negative_data_rejection(ctx, response, case)


#: Every check schemathesis has (test_every_check_runs keeps it so when it gains one).
CHECKS: list[CheckFunction] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    missing_required_header,
    unsupported_method,
    allow_header_conformance,
    use_after_free,
    ensure_resource_availability,
    ignored_auth,
    object_level_authorization,
]


def ensure_resource_availability_to_another_partner(
    ctx: CheckContext, response: Response, case: schemathesis.Case
) -> bool | None:
    """Schemathesis' own check, for a partner's sequences, but for `GET /partners/{id}` of a
    partner registered on the way (`POST /partners`, which anyone may call): a registration
    stays pending, and a partner that is not active is its own and the secretariat's to see,
    to any other partner not found (no one learns who registered). The secretariat's
    sequences check that read too."""
    if case.operation.label == "GET /partners/{partner_id}":
        return None
    return ensure_resource_availability(ctx, response, case)


#: What a partner's sequences check
PARTNER_CHECKS = [
    ensure_resource_availability_to_another_partner if c is ensure_resource_availability else c
    for c in CHECKS
]


@dataclass
class Stack:
    apps: dict[str, FastAPI]
    folder: Path
    secretariat: dict[str, str] = field(default_factory=dict)
    #: (service, role) -> (the partner it acts for, its token, its commitment)
    partners: dict[tuple[str, str], tuple[str, dict[str, str], str]] = field(default_factory=dict)

    def client(self, service: str) -> requests.Session:
        return asgi.get_client(self.apps[service])


def _ok(response: requests.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def _until(answer: Callable[[], requests.Response], status: int) -> requests.Response:
    """Ask again until the answer has `status` (a read model catching up through Kafka)."""
    deadline = time.monotonic() + 30
    while (response := answer()).status_code != status and time.monotonic() < deadline:
        time.sleep(0.2)
    return response


def _seed(stack: Stack) -> None:
    """A partner of its own for each (service, role), active, with one commitment, known to
    every service."""
    with contextlib.ExitStack() as opened:
        clients = {name: opened.enter_context(stack.client(name)) for name in stack.apps}
        registry, commitments = clients["registry"], clients["commitments"]
        admin = _ok(registry.post("/auth/token", json={"api_key": DEV_ADMIN_API_KEY}))
        stack.secretariat = bearer(admin["access_token"])
        for target in TARGETS:
            body = registration(legal_name=f"Fuzz Org {uuid.uuid4().hex[:8]}", vat=None)
            registered = _ok(registry.post("/partners", json=body), 201)
            partner_id = registered["partner_id"]
            url = f"/partners/{partner_id}/approve"
            _ok(registry.post(url, json={}, headers=stack.secretariat))
            token = _ok(registry.post("/auth/token", json={"api_key": registered["api_key"]}))
            stack.partners[target] = (partner_id, bearer(token["access_token"]), "")
        for target, (partner_id, token, _) in stack.partners.items():
            pledge = functools.partial(
                commitments.post, "/commitments", json=pledge_body(), headers=token
            )
            commitment_id = _ok(_until(pledge, 201), 201)["commitment_id"]
            stack.partners[target] = (partner_id, token, commitment_id)
            if "monitoring" in clients:
                progress = f"/progress/commitments/{commitment_id}"
                known = functools.partial(clients["monitoring"].get, progress, headers=token)
                _ok(_until(known, 200))


@pytest.fixture(scope="module")
def stack(infrastructure: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Every service, started by schemathesis' ASGI client on its own event-loop thread (the
    loop that will serve the fuzzer's requests), then seeded; stopped after the module's
    tests, which take turns on it."""
    namespace = f"t{uuid.uuid4().hex[:10]}."
    apps = {s.name: s.build_app(s.settings_for(namespace)) for s in SERVICES}
    try:
        started = Stack(apps, tmp_path_factory.mktemp("fuzz"))
        _seed(started)
        yield started
    finally:
        asgi.shutdown_lifespans()
        with MongoClient(MONGO_URL) as mongo:
            for service in SERVICES:
                mongo.drop_database(f"{namespace.rstrip('.')}-{service.name}")


def check(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)


SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=DERANDOMIZE,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
)


STATEFUL_SETTINGS = settings(
    max_examples=MAX_SEQUENCES,
    stateful_step_count=10,
    deadline=None,
    derandomize=DERANDOMIZE,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.generate],
)


def describe(exc: BaseException) -> str:
    """Each distinct failure with Hypothesis' and schemathesis' notes (the falsifying case,
    a curl line to reproduce it)."""
    if isinstance(exc, BaseExceptionGroup) and not str(exc).startswith("Schemathesis"):
        return "\n".join(describe(inner) for inner in exc.exceptions)
    notes = "\n".join(getattr(exc, "__notes__", []))
    return f"{type(exc).__name__}: {exc}\n{notes}"


def _config(stack: Stack, service: str, role: str, **more: Any) -> schemathesis.Config:
    _, token, _ = stack.partners[(service, role)]
    bearer = (stack.secretariat if role == "secretariat" else token)["Authorization"]
    return schemathesis.Config.from_dict(
        {
            # As the document's own scheme, so that ignored_auth also sends none and a bad one
            "auth": {"openapi": {"HTTPBearer": {"bearer": bearer.removeprefix("Bearer ")}}},
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": DERANDOMIZE},
            **more,
        }
    )


def operations(stack: Stack, service: str, role: str) -> list[str]:
    """Each operation on its own: examples, coverage and fuzzing, on the pair's own partner
    and commitment."""
    partner_id, _, commitment_id = stack.partners[(service, role)]
    pinned = {"path.partner_id": partner_id, "path.commitment_id": commitment_id}
    config = _config(stack, service, role, parameters=pinned)
    schema = schemathesis.openapi.from_asgi("/openapi.json", stack.apps[service], config=config)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{service} as {role}: {operation.label}"
        if ONLY not in label:
            continue
        test = build_operation_test(
            config=schema.config,
            operation=operation,
            test_func=check,
            given_kwargs={},
            feedback=FeedbackSources(),
            explicit_settings=SETTINGS,
        )
        try:
            test()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - report them all
            failures.append(f"{label}\n{describe(exc)}")
    return failures


def _sequences_config(stack: Stack, service: str, role: str) -> schemathesis.Config:
    """A partner's sequences run with a peer, another partner, whom object_level_authorization
    asks for what the partner read of its own (a commitment, its progress): it must get none
    of it. The secretariat reads everything by design: it has no peer."""
    if role != "partner":
        return _config(stack, service, role)
    other = next(t for t in TARGETS if t[0] == service and t != (service, role))
    users = {"partner": stack.partners[(service, role)][1], "other": stack.partners[other][1]}
    document = stack.folder / f"{service}-users.json"
    document.write_text(
        json.dumps(
            {
                "auth": [
                    {"name": name, "fixedHeaders": [{"name": "Authorization", "value": value}]}
                    for name, token in users.items()
                    for value in [token["Authorization"]]
                ]
            }
        )
    )
    wfc = {"path": str(document), "user": "partner", "peers": list(users)}
    return schemathesis.Config.from_dict(
        {
            "auth": {"wfc": wfc},
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": DERANDOMIZE},
        }
    )


def sequences(stack: Stack, service: str, role: str) -> list[str]:
    """Operations one after another, along the links schemathesis infers (POST /partners
    then GET /partners/{partner_id} with the id it answered), so that the checks about what
    an earlier step made or removed have something to look at.

    A failure is noted where it happens, not raised: the services keep their state from one
    sequence to the next, so Hypothesis could not replay a sequence to shrink it."""
    label = f"{service} as {role}: sequences"
    if ONLY not in label:
        return []
    schema = schemathesis.openapi.from_asgi(
        "/openapi.json", stack.apps[service], config=_sequences_config(stack, service, role)
    )
    found: dict[str, str] = {}

    class Sequences(schema.as_state_machine()):  # type: ignore[misc]
        def validate_response(
            self, response: Response, case: schemathesis.Case, *_: Any, **kwargs: Any
        ) -> None:
            try:
                case.validate_response(
                    response,
                    checks=PARTNER_CHECKS if role == "partner" else CHECKS,
                    transport_kwargs=kwargs or None,
                    recorder=self.recorder,
                )
            except FailureGroup as exc:
                kinds = sorted({type(failure).__name__ for failure in exc.exceptions})
                found.setdefault(f"{case.operation.label} {kinds}", describe(exc))

    with contextlib.suppress(Flaky):
        # What each step answers depends on what earlier sequences left in the databases, so
        # Hypothesis may find a sequence begun alike going another way; schemathesis' own
        # runner ends the sequences there too, keeping the failures they found.
        Sequences.run(settings=STATEFUL_SETTINGS)
    return [f"{label}: {kind}\n{failure}" for kind, failure in found.items()]


def _ids(pairs: list[tuple[str, str]]) -> list[str]:
    return [f"{service}-as-{role}" for service, role in pairs]


@pytest.mark.parametrize(("service", "role"), TARGETS, ids=_ids(TARGETS))
def test_every_operation_passes_every_check(stack: Stack, service: str, role: str) -> None:
    """Every operation of the service, as the secretariat or as a partner."""
    failures = operations(stack, service, role)
    assert failures == [], "\n\n".join(failures)


#: After every operation: a partner's sequences, then the secretariat's (which may suspend
#: or withdraw partners)
SEQUENCES = [(service.name, role) for role in reversed(ROLES) for service in SERVICES]


@pytest.mark.parametrize(("service", "role"), SEQUENCES, ids=_ids(SEQUENCES))
def test_sequences_pass_every_check(stack: Stack, service: str, role: str) -> None:
    failures = sequences(stack, service, role)
    assert failures == [], "\n\n".join(failures)


def test_every_check_runs() -> None:
    """Every check schemathesis registers is in CHECKS (a new one after an upgrade too)."""
    load_all_checks()
    every = {c.__name__ for c in REGISTERED_CHECKS.get_all()}
    assert {c.__name__ for c in CHECKS} == every
