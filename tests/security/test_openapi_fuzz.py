"""Schemathesis against every service's own OpenAPI document, in-process (ASGI) with the real
mongod and broker behind it: whatever a caller sends, no 5xx, every status code returned is
documented, and every documented body matches its schema.

Each (service, caller) pair fuzzes on behalf of a partner of its own: path parameters point
at that partner and its commitment, so the fuzzer reaches the handlers and the domain, not
only 404s, and one pair's destruction (a withdrawal) cannot blind another.

Each operation runs schemathesis' three phases: the schema's examples, coverage (boundary,
null and wrong-type values of every field and parameter, deterministic: it found the 500 on
`PATCH /partners/{id}` with `{"legal_name": null}`) and fuzzing (valid and invalid input).
Bounded and reproducible: derandomized Hypothesis, a small max_examples, no deadline, no
example database. A deeper local run:
`PACT_FUZZ_EXAMPLES=300 PACT_FUZZ_RANDOM=1 pytest tests/security/test_openapi_fuzz.py`.

Schemathesis' pytest integration cannot drive this: `from_fixture` breaks on pytest 9.2 (it
writes `Function._nodeid`, gone in pytest 9), and its plugin ends every ASGI lifespan after
each test item, which a Runtime cannot restart. So each operation's test is built with the
very function that integration uses (`build_operation_test`, private: schemathesis is pinned)
and run here, every failure collected and reported together. Schemathesis' ASGI client runs
the apps' lifespans on its own event-loop thread, the one its requests are served on."""

from __future__ import annotations

import contextlib
import functools
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, settings
from pymongo import MongoClient
from schemathesis.checks import not_a_server_error
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.pytest._test_builder import build_operation_test
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
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
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
ROLES = ("secretariat", "partner")
TARGETS = [(service.name, role) for service in SERVICES for role in ROLES]


@dataclass
class Stack:
    apps: dict[str, FastAPI]
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


@pytest.fixture
def stack(infrastructure: None) -> Iterator[Stack]:
    """Every service, started by schemathesis' ASGI client on its own event-loop thread (the
    loop that will serve the fuzzer's requests), then seeded; stopped after the test."""
    namespace = f"t{uuid.uuid4().hex[:10]}."
    apps = {s.name: s.build_app(s.settings_for(namespace)) for s in SERVICES}
    try:
        started = Stack(apps)
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


def describe(exc: BaseException) -> str:
    """Each distinct failure with Hypothesis' and schemathesis' notes (the falsifying case,
    a curl line to reproduce it)."""
    if isinstance(exc, BaseExceptionGroup) and not str(exc).startswith("Schemathesis"):
        return "\n".join(describe(inner) for inner in exc.exceptions)
    notes = "\n".join(getattr(exc, "__notes__", []))
    return f"{type(exc).__name__}: {exc}\n{notes}"


def test_no_server_errors_and_only_documented_answers(stack: Stack) -> None:
    """Every operation of every service, as the secretariat and as a partner."""
    failures: list[str] = []
    for service, role in TARGETS:
        partner_id, token, commitment_id = stack.partners[(service, role)]
        config = schemathesis.Config.from_dict(
            {
                "headers": stack.secretariat if role == "secretariat" else token,
                "parameters": {"path.partner_id": partner_id, "path.commitment_id": commitment_id},
                "generation": {"max-examples": MAX_EXAMPLES, "deterministic": DERANDOMIZE},
            }
        )
        schema = schemathesis.openapi.from_asgi("/openapi.json", stack.apps[service], config=config)
        for result in schema.get_all_operations():
            operation = result.ok()
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
                failures.append(f"{service} as {role}: {operation.label}\n{describe(exc)}")
    assert failures == [], "\n\n".join(failures)
