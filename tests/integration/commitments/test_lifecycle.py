"""A commitment's life against the real broker and mongod: pledged, amended, withdrawn;
suspended and resumed with its partner; achieved or missed by monitoring's verdict."""

from __future__ import annotations

import uuid

import pytest

from pact_contracts import (
    COMMITMENT_EVENTS,
    AlertFired,
    AlertResolved,
    PartnerReinstated,
    PartnershipCreated,
    PartnerSuspended,
    PartnerUpdated,
    PartnerWithdrawn,
)
from tests.integration.commitments.conftest import Harness, partner_event, pledge
from tests.support.kafka import Producer, read_events

pytestmark = pytest.mark.integration


async def test_pledge_amend_withdraw_with_events_on_the_topic(commitments: Harness) -> None:
    await commitments.active_partner("p-acme")
    partner = commitments.partner_token("p-acme")
    client = commitments.client
    created = await client.post("/commitments", json=pledge(), headers=partner)
    assert created.status_code == 201, created.text
    cid = created.json()["commitment_id"]
    assert created.json() == {"commitment_id": cid, "version": 1, "status": "active"}
    assert created.headers["location"] == f"/commitments/{cid}"

    amended = await client.post(
        f"/commitments/{cid}/amendments",
        json={"reason": "Scope extended", "target_value": 6000, "deadline": "2028-06-30"},
        headers=partner,
    )
    assert amended.status_code == 200, amended.text
    assert (amended.json()["version"], amended.json()["target_value"]) == (2, 6000)
    withdrawn = await client.post(
        f"/commitments/{cid}/withdraw", json={"reason": "Programme cancelled"}, headers=partner
    )
    assert withdrawn.status_code == 200, withdrawn.text

    detail = (await client.get(f"/commitments/{cid}", headers=partner)).json()
    assert (detail["status"], detail["version"]) == ("withdrawn", 3)
    history = detail["history"]
    assert [h["event_type"] for h in history] == [
        "CommitmentPledged",
        "CommitmentAmended",
        "CommitmentWithdrawn",
    ]
    assert history[0]["commitment"]["target_value"] == 5000  # the past stays as it was
    assert history[0]["commitment"]["deadline"] == "2027-12-31"
    assert history[1]["changed_fields"] == ["target_value", "deadline"]
    assert history[1]["reason"] == "Scope extended"
    assert history[2]["status"] == "withdrawn"

    records = await commitments.events(3, settle=0.5)
    events = [COMMITMENT_EVENTS.adapter.validate_python(r) for r in records]
    assert [e.event_type for e in events] == [h["event_type"] for h in history]
    assert [e.commitment_version for e in events] == [1, 2, 3]
    assert {e.commitment_id for e in events} == {cid}
    assert [e.commitment.status for e in events] == ["active", "active", "withdrawn"]
    assert events[0].commitment.target_value == 5000
    assert events[1].commitment.deadline.isoformat() == "2028-06-30"
    assert events[1].changed_fields == ["target_value", "deadline"]
    assert events[2].reason == "Programme cancelled"
    assert {e.actor for e in events} == {"p-acme"}


async def test_partner_suspension_and_reinstatement_reach_its_commitments(
    commitments: Harness,
) -> None:
    await commitments.active_partner("p-acme")
    await commitments.active_partner("p-other")
    first = await commitments.pledge("p-acme")
    second = await commitments.pledge("p-acme", title="Second pledge")
    untouched = await commitments.pledge("p-other")
    partner = commitments.partner_token("p-acme")

    await commitments.applied(
        partner_event(PartnerSuspended, "p-acme", 3, "suspended", reason="Charter breach")
    )
    assert await _statuses(commitments) == {
        first: "suspended",
        second: "suspended",
        untouched: "active",
    }
    refused = await commitments.client.get("/commitments", headers=partner)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "partner_not_allowed"
    events = await commitments.events(5)
    suspended = [e for e in events if e["event_type"] == "CommitmentSuspended"]
    assert {e["commitment_id"] for e in suspended} == {first, second}
    assert {e["reason"] for e in suspended} == {"Charter breach"}
    assert all(e["commitment_version"] == 2 and e["causation_id"] for e in suspended)

    await commitments.applied(partner_event(PartnerReinstated, "p-acme", 4, "active"))
    assert set((await _statuses(commitments)).values()) == {"active"}
    events = await commitments.events(7)
    resumed = [e for e in events if e["event_type"] == "CommitmentResumed"]
    assert {(e["commitment_id"], e["commitment_version"]) for e in resumed} == {
        (first, 3),
        (second, 3),
    }
    assert (await commitments.client.get("/commitments", headers=partner)).status_code == 200

    await commitments.applied(partner_event(PartnerWithdrawn, "p-acme", 5, "withdrawn"))
    statuses = await _statuses(commitments)
    assert (statuses[first], statuses[second], statuses[untouched]) == (
        "withdrawn",
        "withdrawn",
        "active",
    )


async def test_the_partner_read_model_converges_under_duplicated_and_reordered_events(
    commitments: Harness,
) -> None:
    await commitments.active_partner("p-acme")
    cid = await commitments.pledge("p-acme")
    v3 = partner_event(PartnerSuspended, "p-acme", 3, "suspended")
    v4 = partner_event(PartnerReinstated, "p-acme", 4, "active")
    v5 = partner_event(PartnerUpdated, "p-acme", 5, "active", changed_fields=["webhook_url"])
    v6 = partner_event(PartnerSuspended, "p-acme", 6, "suspended")
    # Newest first, then the older ones, each delivered twice; and a redelivered v6 copy
    # under a new event id (a registry replaying its outbox after a restore).
    replayed = v6.model_copy(update={"event_id": uuid.uuid4()})
    await commitments.applied(v6, v4, v3, v5, v6, v3, v4, v5, replayed)

    view = await commitments.db["partners"].find_one({"_id": "p-acme"})
    assert (view["version"], view["status"]) == (6, "suspended")
    assert await _statuses(commitments) == {cid: "suspended"}
    events = await commitments.events(2, settle=1.0)
    assert [(e["event_type"], e["commitment_version"]) for e in events] == [
        ("CommitmentPledged", 1),
        ("CommitmentSuspended", 2),
    ]


async def test_monitorings_verdicts_set_achieved_and_missed(commitments: Harness) -> None:
    await commitments.active_partner("p-acme")
    achieved = await commitments.pledge("p-acme")
    missed = await commitments.pledge("p-acme", title="Missed one")
    untouched = await commitments.pledge("p-acme", title="Only a milestone missed")
    await commitments.applied(
        _alert(AlertFired, "TargetAchieved", achieved),
        _alert(AlertFired, "TargetMissed", missed),
        _alert(AlertFired, "MilestoneMissed", untouched),
        _alert(AlertResolved, "TargetMissed", untouched),
        _alert(AlertFired, "TargetAchieved", "c-not-ours"),
    )
    assert await _statuses(commitments) == {
        achieved: "achieved",
        missed: "missed",
        untouched: "active",
    }
    events = await commitments.events(5, settle=1.0)
    verdicts = {e["commitment_id"]: e for e in events if e["event_type"] != "CommitmentPledged"}
    assert {k: v["event_type"] for k, v in verdicts.items()} == {
        achieved: "CommitmentAchieved",
        missed: "CommitmentMissed",
    }
    assert verdicts[achieved]["commitment"]["status"] == "achieved"
    assert (verdicts[achieved]["actor"], verdicts[achieved]["commitment_version"]) == (
        "monitoring",
        2,
    )


async def test_unreadable_partner_events_are_dead_lettered(commitments: Harness) -> None:
    topic = commitments.settings.topic("registry.partner-events.v1")
    async with Producer() as producer:
        await producer.send(topic, b"{not json", key=b"p-acme")
    sentinel = PartnershipCreated(partnership_id="automotive", name="Auto", ecosystem="automotive")
    await commitments.applied(sentinel)
    letters = await read_events(
        commitments.settings.topic("commitments.dead-letter.v1"), 1, timeout=10
    )
    assert [d["reason"] for d in letters] == ["malformed"]
    assert await commitments.db["partnerships"].find_one({"_id": "automotive"}) is not None


# ------------------------------------------------------------------------------ helpers


async def _statuses(commitments: Harness) -> dict[str, str]:
    docs = await commitments.db["commitments"].find({}, {"status": 1}).to_list()
    return {d["_id"]: d["status"] for d in docs}


def _alert(kind: type[AlertFired] | type[AlertResolved], rule: str, subject: str) -> AlertFired:
    alert: AlertFired = kind(
        fingerprint=f"{rule}:commitment:{subject}",
        episode=1,
        rule=rule,
        severity="info",
        subject_type="commitment",
        subject_id=subject,
        partner_id="p-acme",
        partnership_id="digital-ecosystem",
        metric="people_trained",
        expected=5000,
        actual=5100,
        message=f"{rule} on {subject}",
    )
    return alert
