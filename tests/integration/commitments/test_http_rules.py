"""Every refusal of the HTTP API: status, the field and the rule it names, and that
nothing was stored and no event written. One service instance serves the whole module."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pymongo import AsyncMongoClient

from commitments.bootstrap import build_app
from commitments.config import Settings
from pact_common.auth import Principal, Role, TokenIssuer
from pact_common.dev_keys import DEV_JWT_PRIVATE_KEY
from pact_contracts import (
    ALERTS,
    COMMITMENT_EVENTS,
    PARTNER_EVENTS,
    PartnerRegistered,
    PartnerWithdrawn,
)
from tests.conftest import MONGO_URL
from tests.integration.commitments.conftest import Harness, partner_event, pledge, ticking_clock
from tests.support.runtime import settings_for_test
from tests.support.schemas import validate_asyncapi

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def service(infrastructure: None) -> AsyncIterator[tuple[Harness, dict[str, Any]]]:
    """The service with two active partners, a pending and a withdrawn one, a commitment
    of p-acme's and a withdrawn one; and the counts of what is stored at that point."""
    namespace = f"t{uuid.uuid4().hex[:10]}."
    db_name = namespace.rstrip(".")
    settings = settings_for_test(Settings, namespace, db_name)
    app = build_app(settings, clock=ticking_clock())
    issuer = TokenIssuer(
        DEV_JWT_PRIVATE_KEY, settings.jwt_issuer, settings.jwt_audience, timedelta(minutes=10)
    )
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO_URL, tz_aware=True)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://c") as client:
                h = Harness(client, settings, mongo[db_name], issuer)
                await h.active_partner("p-acme")
                await h.active_partner("p-other")
                await h.applied(
                    partner_event(PartnerRegistered, "p-pending", 1, "pending"),
                    partner_event(PartnerWithdrawn, "p-gone", 3, "withdrawn"),
                )
                state = {"cid": await h.pledge("p-acme")}
                state["closed"] = await h.pledge("p-acme", title="Closed")
                closed = await client.post(
                    f"/commitments/{state['closed']}/withdraw",
                    json={"reason": "Closed early"},
                    headers=h.partner_token("p-acme"),
                )
                assert closed.status_code == 200
                state["stored"] = await _stored(h)
                yield h, state
    finally:
        await mongo.drop_database(db_name)
        await mongo.close()


async def _stored(h: Harness) -> tuple[int, int, int]:
    return (
        await h.db["commitments"].count_documents({}),
        await h.db["commitment_history"].count_documents({}),
        await h.db["outbox"].count_documents({}),
    )


def _milestones(*pairs: tuple[str, float]) -> list[dict[str, Any]]:
    return [{"due_date": d, "value": v} for d, v in pairs]


PLEDGE_REFUSALS = [
    ("deadline before start", {"deadline": "2025-12-31"}, 422, "deadline", "deadline_before_start"),
    ("deadline on start", {"deadline": "2026-01-01"}, 422, "deadline", "deadline_before_start"),
    (
        "milestones out of order",
        {"milestones": _milestones(("2027-06-30", 3000), ("2026-12-31", 3500))},
        422,
        "milestones.1.due_date",
        "milestones_out_of_order",
    ),
    (
        "milestone beyond the deadline",
        {"milestones": _milestones(("2028-01-31", 3000))},
        422,
        "milestones.0.due_date",
        "milestone_after_deadline",
    ),
    (
        "milestone values not increasing",
        {"milestones": _milestones(("2026-12-31", 3000), ("2027-06-30", 2000))},
        422,
        "milestones.1.value",
        "milestones_not_increasing",
    ),
    (
        "target not above the baseline",
        {"baseline": 5000},
        422,
        "target_value",
        "target_not_above_baseline",
    ),
    ("target of zero", {"target_value": 0}, 422, "target_value", "greater_than"),
    ("unknown specialisation", {"specialisations": ["quantum"]}, 422, "specialisations.0", "enum"),
    ("unknown level", {"levels": ["guru"]}, 422, "levels.0", "enum"),
    ("unknown country", {"countries": ["UK"]}, 422, "countries.0", "literal_error"),
    ("unknown principle", {"principle": "profit"}, 422, "principle", "enum"),
    ("unknown action type", {"action_type": "hiring"}, 422, "action_type", "enum"),
    ("unknown metric", {"metric": "likes"}, 422, "metric", "enum"),
    ("unknown cadence", {"cadence": "weekly"}, 422, "cadence", "enum"),
    ("no country", {"countries": []}, 422, "countries", "too_short"),
    ("duplicate level", {"levels": ["basic", "basic"]}, 422, "levels", "duplicate"),
    ("unknown field", {"budget": 1}, 422, "budget", "extra_forbidden"),
    ("missing title", {"title": ...}, 422, "title", "missing"),
    ("grace too long", {"grace_days": 400}, 422, "grace_days", "less_than_equal"),
    # What the schema says and nothing else: text dates, JSON numbers, integers as integers
    ("start date as a number", {"start_date": 0}, 422, "start_date", "date_text"),
    ("deadline with a time", {"deadline": "2027-12-31T00:00:00Z"}, 422, "deadline", "date_text"),
    ("target as text", {"target_value": "5000"}, 422, "target_value", "float_type"),
    ("grace as text", {"grace_days": "30"}, 422, "grace_days", "int_type"),
    ("grace as true", {"grace_days": True}, 422, "grace_days", "int_type"),
    (
        "blank partnership",
        {"partnership_id": " "},
        422,
        "partnership_id",
        "string_pattern_mismatch",
    ),
    (
        "partnership not joined",
        {"partnership_id": "automotive"},
        422,
        "partnership_id",
        "not_a_member",
    ),
    ("pledging for another partner", {"partner_id": "p-other"}, 403, "partner_id", "not_owner"),
]


@pytest.mark.parametrize(
    ("changes", "status", "field", "rule"),
    [case[1:] for case in PLEDGE_REFUSALS],
    ids=[case[0] for case in PLEDGE_REFUSALS],
)
async def test_refused_pledges_name_the_field_and_the_rule_and_store_nothing(
    service: tuple[Harness, dict[str, Any]],
    changes: dict[str, Any],
    status: int,
    field: str,
    rule: str,
) -> None:
    h, state = service
    response = await h.client.post(
        "/commitments", json=pledge(**changes), headers=h.partner_token("p-acme")
    )
    assert_refused(response, status, field, rule)
    assert await _stored(h) == state["stored"]


@pytest.mark.parametrize(
    ("partner_id", "rule"),
    [("p-ghost", "unknown_partner"), ("p-pending", "partner_not_active"), (None, "required")],
)
async def test_the_secretariat_pledges_only_for_a_known_active_partner(
    service: tuple[Harness, dict[str, Any]], partner_id: str | None, rule: str
) -> None:
    h, state = service
    body = pledge(partner_id=partner_id) if partner_id else pledge()
    response = await h.client.post("/commitments", json=body, headers=h.secretariat())
    assert_refused(response, 422, "partner_id", rule)
    assert await _stored(h) == state["stored"]


async def test_a_pending_partner_may_not_pledge(service: tuple[Harness, dict[str, Any]]) -> None:
    h, state = service
    response = await h.client.post(
        "/commitments", json=pledge(), headers=h.partner_token("p-pending")
    )
    assert_refused(response, 422, "partner_id", "partner_not_active")
    assert await _stored(h) == state["stored"]


def _token(key_pem: str = DEV_JWT_PRIVATE_KEY, **claims: Any) -> dict[str, str]:
    settings = Settings(environment="test")
    issuer = TokenIssuer(
        key_pem,
        claims.pop("iss", settings.jwt_issuer),
        claims.pop("aud", settings.jwt_audience),
        timedelta(minutes=5),
    )
    principal = Principal("p-acme", Role.PARTNER, "p-acme", credential_version=1)
    return {"Authorization": f"Bearer {issuer.issue(principal, claims.get('now'))}"}


def _other_key() -> str:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem.decode()


BAD_TOKENS = {
    "none": {},
    "not a jwt": {"Authorization": "Bearer not-a-token"},
    "basic": {"Authorization": "Basic cDpw"},
    "another key": _token(_other_key()),
    "expired": _token(now=datetime.now(UTC) - timedelta(hours=1)),
    "wrong audience": _token(aud="someone-else"),
}


@pytest.mark.parametrize("headers", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
async def test_no_or_bad_token_is_401(
    service: tuple[Harness, dict[str, Any]], headers: dict[str, str]
) -> None:
    h, state = service
    for method, path, body in (
        ("POST", "/commitments", pledge()),
        ("GET", "/commitments", None),
        ("GET", f"/commitments/{state['cid']}", None),
        ("POST", "/partnership-targets", {}),
    ):
        response = await h.client.request(method, path, json=body, headers=headers)
        assert_refused(response, 401, "authorization", "unauthorized")
    assert await _stored(h) == state["stored"]


async def test_a_partner_may_not_touch_another_partners_commitment(
    service: tuple[Harness, dict[str, Any]],
) -> None:
    h, state = service
    cid, other = state["cid"], h.partner_token("p-other")
    read = await h.client.get(f"/commitments/{cid}", headers=other)
    assert_refused(read, 403, "partner_id", "not_owner")
    amend = await h.client.post(
        f"/commitments/{cid}/amendments", json={"reason": "mine", "target_value": 1}, headers=other
    )
    assert_refused(amend, 403, "partner_id", "not_owner")
    withdraw = await h.client.post(
        f"/commitments/{cid}/withdraw", json={"reason": "mine"}, headers=other
    )
    assert_refused(withdraw, 403, "partner_id", "not_owner")
    listing = await h.client.get("/commitments", params={"partner": "p-acme"}, headers=other)
    assert_refused(listing, 403, "partner_id", "not_owner")
    target = await h.client.post(
        "/partnership-targets",
        json={**_target_body(), "partnership_id": "digital-ecosystem"},
        headers=other,
    )
    assert_refused(target, 403, "authorization", "secretariat_only")
    assert await _stored(h) == state["stored"]


async def test_a_withdrawn_partner_is_refused(service: tuple[Harness, dict[str, Any]]) -> None:
    h, _ = service
    response = await h.client.get("/commitments", headers=h.partner_token("p-gone"))
    assert_refused(response, 403, "authorization", "partner_not_allowed")


AMENDMENT_REFUSALS = [
    ("nothing changes", {"reason": "same", "target_value": 5000}, 422, "body", "nothing_to_amend"),
    ("no reason", {"target_value": 6000}, 422, "reason", "missing"),
    (
        "deadline past",
        {"reason": "back", "deadline": "2026-02-01"},
        422,
        "deadline",
        "deadline_in_past",
    ),
    (
        "deadline before a milestone",
        {"reason": "sooner", "deadline": "2027-03-31"},
        422,
        "milestones.1.due_date",
        "milestone_after_deadline",
    ),
    (
        "target below baseline",
        {"reason": "less", "target_value": 0},
        422,
        "target_value",
        "greater_than",
    ),
    (
        "milestones out of order",
        {"reason": "reorder", "milestones": _milestones(("2027-06-30", 1), ("2026-12-31", 2))},
        422,
        "milestones.1.due_date",
        "milestones_out_of_order",
    ),
]


@pytest.mark.parametrize(
    ("body", "status", "field", "rule"),
    [case[1:] for case in AMENDMENT_REFUSALS],
    ids=[case[0] for case in AMENDMENT_REFUSALS],
)
async def test_refused_amendments(
    service: tuple[Harness, dict[str, Any]],
    body: dict[str, Any],
    status: int,
    field: str,
    rule: str,
) -> None:
    h, state = service
    response = await h.client.post(
        f"/commitments/{state['cid']}/amendments", json=body, headers=h.partner_token("p-acme")
    )
    assert_refused(response, status, field, rule)
    assert await _stored(h) == state["stored"]


async def test_closed_or_unknown_commitments(service: tuple[Harness, dict[str, Any]]) -> None:
    h, state = service
    acme = h.partner_token("p-acme")
    again = await h.client.post(
        f"/commitments/{state['closed']}/withdraw", json={"reason": "again"}, headers=acme
    )
    assert_refused(again, 409, "status", "not_open")
    amend = await h.client.post(
        f"/commitments/{state['closed']}/amendments",
        json={"reason": "revive", "target_value": 9000},
        headers=acme,
    )
    assert_refused(amend, 409, "status", "not_open")
    for response in (
        await h.client.get("/commitments/c-nope", headers=h.secretariat()),
        await h.client.post("/commitments/c-nope/withdraw", json={"reason": "x y"}, headers=acme),
    ):
        assert_refused(response, 404, "commitment_id", "not_found")
    assert await _stored(h) == state["stored"]


async def test_refused_partnership_targets(service: tuple[Harness, dict[str, Any]]) -> None:
    h, state = service
    unknown = await h.client.post(
        "/partnership-targets",
        json={**_target_body(), "partnership_id": "no-such-partnership"},
        headers=h.secretariat(),
    )
    assert_refused(unknown, 422, "partnership_id", "unknown_partnership")
    late = await h.client.post(
        "/partnership-targets",
        json={**_target_body(), "partnership_id": "digital-ecosystem", "deadline": "2024-01-01"},
        headers=h.secretariat(),
    )
    assert_refused(late, 422, "deadline", "deadline_before_start")
    assert await _stored(h) == state["stored"]


def _target_body() -> dict[str, Any]:
    return {
        "title": "1 million people trained by 2030",
        "target_value": 1_000_000,
        "start_date": "2025-01-01",
        "deadline": "2030-12-31",
    }


def assert_refused(response: httpx.Response, status: int, field: str, rule: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["field"] == field, error
    rules = {error["code"], *(p["rule"] for p in error.get("problems", []))}
    assert rule in rules, error


async def test_ready_and_the_asyncapi_document(service: tuple[Harness, dict[str, Any]]) -> None:
    h, _ = service
    ready = await h.client.get("/ready")
    assert ready.status_code == 200 and ready.json()["checks"] == {"mongo": True, "kafka": True}
    document = (await h.client.get("/asyncapi.json")).json()
    validate_asyncapi(document)
    channels = json.dumps(document["channels"])
    for topic in (COMMITMENT_EVENTS, PARTNER_EVENTS, ALERTS):
        assert h.settings.topic(topic) in channels
    assert "CommitmentPledged" in json.dumps(document["components"])
