"""Registration, the secretariat's lifecycle decisions and partnerships, observed over HTTP,
in MongoDB and on registry.partner-events.v1."""

from __future__ import annotations

from typing import Any

import pytest

from pact_common.dev_keys import DEV_ADMIN_API_KEY
from pact_contracts import PARTNER_EVENTS
from tests.support.kafka import read_events
from tests.support.registry import bearer, register, secretariat, token_for

pytestmark = pytest.mark.integration


def topic(client: Any) -> str:
    return str(client.settings.topic(PARTNER_EVENTS))


async def test_registration_to_withdrawal_with_events_in_order(
    registry: Any, mongo_client: Any
) -> None:
    created = await register(registry)
    pid = created["partner_id"]
    assert created["status"] == "pending" and created["api_key"].startswith("pk_")
    admin = await secretariat(registry)

    steps = [
        ("approve", "active"),
        ("suspend", "suspended"),
        ("reinstate", "active"),
        ("withdraw", "withdrawn"),
    ]
    for action, expected in steps:
        step_up = {"X-Api-Key": DEV_ADMIN_API_KEY} if action == "withdraw" else {}
        response = await registry.post(
            f"/partners/{pid}/{action}",
            headers=admin | step_up,
            json={"reason": f"{action} for the test"},
        )
        assert response.status_code == 200, response.text
        assert response.json()["status"] == expected

    events = await read_events(topic(registry), 6, settle=0.5)
    partner_events = [e for e in events if e["event_type"] != "PartnershipCreated"]
    assert [e["event_type"] for e in partner_events] == [
        "PartnerRegistered",
        "PartnerApproved",
        "PartnerSuspended",
        "PartnerReinstated",
        "PartnerWithdrawn",
    ]
    assert [e["partner"]["status"] for e in partner_events] == [
        "pending",
        "active",
        "suspended",
        "active",
        "withdrawn",
    ]
    assert [e["partner_version"] for e in partner_events] == [1, 2, 3, 4, 5]
    assert partner_events[2]["reason"] == "suspend for the test"
    assert partner_events[2]["actor"] == "secretariat"
    assert all(e["partner_id"] == pid for e in partner_events)
    registered = partner_events[0]["partner"]
    assert registered["webhook_url"] == "https://hooks.acme-cloud.example/pact"
    assert "contact_email" not in registered and "api_key_hash" not in registered

    history = (await registry.get(f"/partners/{pid}/history", headers=admin)).json()
    assert [(h["action"], h["from_status"], h["to_status"]) for h in history] == [
        ("register", None, "pending"),
        ("approve", "pending", "active"),
        ("suspend", "active", "suspended"),
        ("reinstate", "suspended", "active"),
        ("withdraw", "active", "withdrawn"),
    ]
    assert history[1]["actor"] == "secretariat" and history[1]["reason"] == "approve for the test"

    stored = await mongo_client[registry.settings.mongo_db]["partners"].find_one({"_id": pid})
    assert stored["status"] == "withdrawn" and stored["version"] == 5
    assert created["api_key"] not in str(stored)  # only the hash is stored


async def test_illegal_transitions_answer_409_with_the_current_state(registry: Any) -> None:
    pid = (await register(registry))["partner_id"]
    admin = await secretariat(registry)
    response = await registry.post(
        f"/partners/{pid}/suspend", headers=admin, json={"reason": "not yet active"}
    )
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "illegal_transition",
        "field": "status",
        "message": "cannot suspend a partner that is pending",
    }
    await registry.post(f"/partners/{pid}/reject", headers=admin, json={"reason": "no charter"})
    again = await registry.post(f"/partners/{pid}/approve", headers=admin, json={})
    assert again.status_code == 409 and "rejected" in again.json()["error"]["message"]


async def test_the_digital_ecosystem_partnership_exists_and_partners_join_and_leave(
    registry: Any,
) -> None:
    listed = (await registry.get("/partnerships")).json()
    assert [p["id"] for p in listed] == ["digital-ecosystem"]
    admin = await secretariat(registry)
    created = await registry.post(
        "/partnerships",
        headers=admin,
        json={
            "id": "digital-skills-jobs",
            "name": "Digital Skills and Jobs Coalition",
            "ecosystem": "digital",
            "description": "Works with the LSP on digital skills",
        },
    )
    assert created.status_code == 201
    duplicate = await registry.post(
        "/partnerships",
        headers=admin,
        json={"id": "digital-skills-jobs", "name": "Again", "ecosystem": "digital"},
    )
    assert duplicate.status_code == 409

    partner = await register(registry)
    me = bearer(await token_for(registry, partner["api_key"]))
    pid = partner["partner_id"]
    joined = await registry.post(
        f"/partners/{pid}/partnerships", headers=me, json={"partnership_id": "digital-skills-jobs"}
    )
    assert joined.json()["partnerships"] == ["digital-ecosystem", "digital-skills-jobs"]
    unknown = await registry.post(
        f"/partners/{pid}/partnerships", headers=me, json={"partnership_id": "no-such-partnership"}
    )
    # 422, naming the field: the partner at the URI is there (a 404 would say it is not)
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "partnership_id"
    assert unknown.json()["error"]["code"] == "unknown_partnership"
    left = await registry.delete(f"/partners/{pid}/partnerships/digital-ecosystem", headers=me)
    assert left.json()["partnerships"] == ["digital-skills-jobs"]

    filtered = await registry.get(
        "/partners", headers=admin, params={"partnership": "digital-skills-jobs"}
    )
    assert [p["id"] for p in filtered.json()["items"]] == [pid]

    events = await read_events(topic(registry), 5, settle=0.5)
    created_events = [
        e["partnership_id"] for e in events if e["event_type"] == "PartnershipCreated"
    ]
    assert sorted(created_events) == ["digital-ecosystem", "digital-skills-jobs"]
    mine = [e for e in events if e.get("partner_id") == pid]  # ordered per key (partition)
    assert [(e["event_type"], e.get("partnership_id")) for e in mine] == [
        ("PartnerRegistered", None),
        ("PartnerJoinedPartnership", "digital-skills-jobs"),
        ("PartnerLeftPartnership", "digital-ecosystem"),
    ]


async def test_profile_update_emits_changes_and_signing_key(registry: Any) -> None:
    partner = await register(registry)
    me = bearer(await token_for(registry, partner["api_key"]))
    pid = partner["partner_id"]
    key = "GfOnzO+/PPTi5wEuSeI5KqoJ2yCu2iYwGdfcW7rXGBs="
    response = await registry.patch(
        f"/partners/{pid}",
        headers=me | {"X-Api-Key": partner["api_key"]},
        json={"webhook_url": "https://hooks.acme-cloud.example/v2", "signing_public_key": key},
    )
    assert response.status_code == 200, response.text
    assert response.json()["signing_public_key"] == key
    status_change = await registry.patch(f"/partners/{pid}", headers=me, json={"status": "active"})
    assert status_change.status_code == 422 and status_change.json()["error"]["field"] == "status"
    events = [
        e for e in await read_events(topic(registry), 4, settle=0.5) if e.get("partner_id") == pid
    ]
    assert [e["event_type"] for e in events][-2:] == [
        "PartnerUpdated",
        "PartnerSigningKeyRegistered",
    ]
    assert sorted(events[-2]["changed_fields"]) == ["signing_public_key", "webhook_url"]
    assert events[-1]["partner"]["signing_public_key"] == key


async def test_listing_filters_paginates_in_a_stable_order(registry: Any) -> None:
    admin = await secretariat(registry)
    ids = []
    for i, (country, kind) in enumerate(
        [
            ("DE", "university"),
            ("FR", "trade_union"),
            ("PT", "university"),
            ("GR", "national_federation"),
        ]
    ):
        body = await register(
            registry,
            legal_name=f"Organisation {i}",
            vat=None,
            organisation_type=kind,
            size_class=None,
            hq_country=country,
            countries=[country],
        )
        ids.append(body["partner_id"])
    await registry.post(f"/partners/{ids[0]}/approve", headers=admin, json={})

    async def listing(**params: Any) -> list[str]:
        response = await registry.get("/partners", headers=admin, params=params)
        assert response.status_code == 200, response.text
        return [p["id"] for p in response.json()["items"]]

    assert await listing() == ids
    assert await listing(limit=2) == ids[:2] and await listing(offset=2, limit=2) == ids[2:]
    first = (await registry.get("/partners", headers=admin, params={"limit": 2})).json()
    assert first["next"] and await listing(after=first["next"]) == ids[2:]  # by cursor
    assert await listing(after=first["next"], limit=1, offset=1) == ids[3:4]
    assert await listing(type="university") == [ids[0], ids[2]]
    assert await listing(country="GR") == [ids[3]]
    assert await listing(status="active") == [ids[0]]
    assert await listing(status="pending", type="university") == [ids[2]]
    bad = await registry.get("/partners", headers=admin, params={"country": "EL"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "country"
