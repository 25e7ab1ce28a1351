"""Every rejection reason, on monitoring.progress-rejected.v1 and in GET /progress/rejections;
and POST /progress for partners without Kafka access."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from pact_contracts import (
    CommitmentSnapshot,
    CommitmentSuspended,
    CommitmentWithdrawn,
    RejectionReason,
)
from pact_contracts.signing import new_key_pair, signed_message
from tests.support.examples import COMMITMENT
from tests.support.kafka import wait_until
from tests.support.progress_store import stored_progress

from .conftest import Monitoring, report

pytestmark = pytest.mark.integration


async def reference_data(m: Monitoring, signing_key: str) -> None:
    await m.partner()
    await m.partner("p-other")
    await m.partner("p-suspended", status="suspended")
    await m.partner("p-signer", signing_public_key=signing_key)
    await m.commitment()
    await m.commitment("c-signed", partner_id="p-signer")
    await withdrawn(m, "c-gone", datetime(2026, 2, 10, 15, 0, tzinfo=UTC))
    await m.commitment("c-paused", version=2, kind=CommitmentSuspended, status="suspended")
    for c in ("c-cloud", "c-signed", "c-gone", "c-paused"):
        await m.wait_for_commitment(c)
    for p in ("p-other", "p-suspended", "p-signer"):
        await m.wait_for_partner(p)


async def withdrawn(m: Monitoring, commitment_id: str, at: datetime) -> None:
    """A commitment withdrawn at `at` (the event's occurred_at says when)."""
    snapshot = CommitmentSnapshot.model_validate(COMMITMENT.model_dump() | {"status": "withdrawn"})
    await m.send(
        CommitmentWithdrawn(
            commitment_id=commitment_id, commitment_version=2, commitment=snapshot, occurred_at=at
        )
    )


@pytest.mark.parametrize("overrides", [{"park_limit_per_partner": 1}])
async def test_every_rejection_reason(monitoring: Monitoring) -> None:
    m = monitoring
    private, public = new_key_pair()
    _, other_private = new_key_pair()
    await reference_data(m, public)
    reused = report("2025-Q1", 10)
    signed_ok = report("2025-Q1", 5, partner_id="p-signer", commitment_id="c-signed")
    wrong_signer = report("2025-Q2", 5, partner_id="p-signer", commitment_id="c-signed")
    sends: list[tuple[str, Any]] = [
        ("malformed", b"not json {"),
        ("too_large", json.dumps({"partner_id": "p-acme", "x": "a" * 70_000}).encode()),
        ("invalid", json.dumps(report().to_jsonable() | {"people_trained": -1}).encode()),
        ("unsigned", report("2025-Q3", 1, partner_id="p-signer", commitment_id="c-signed")),
        ("key_mismatch", (report("2025-Q3", 2).to_bytes(), None)),  # keyed c-signed
        ("bad_signature", signed_message(wrong_signer, other_private)),
        ("unknown_partner", report(partner_id="p-nobody")),
        ("partner_not_active", report(partner_id="p-suspended")),
        (None, report(commitment_id="c-missing")),  # parked, then expires
        ("unknown_commitment", report("2025-Q2", commitment_id="c-missing")),  # parking full
        ("not_owner", report(partner_id="p-other")),
        ("commitment_not_active", report(commitment_id="c-paused")),
        (None, report("2026-Q1", 7, commitment_id="c-gone")),  # began before the withdrawal
        ("reported_after_withdrawal", report("2026-Q2", commitment_id="c-gone")),
        ("period_out_of_range", report("2024-Q4")),
        ("reported_after_deadline", report("2028-Q2")),
        ("bad_learners_sketch", report("2025-Q3", 3, learners_sketch="not base64!")),
        ("period_in_future", report("2026-Q3")),
        ("period_cadence_mismatch", report("2026-03")),
        (None, report("2025-Q2", 10, revision=3)),
        ("stale_revision", report("2025-Q2", 10, revision=3)),
        (None, reused),
        ("event_id_reused", reused.model_copy(update={"people_trained": 11})),
        (None, signed_message(signed_ok, private)),
    ]
    for _, item in sends:
        if isinstance(item, bytes):
            await m.send_raw(item, key=b"c-cloud")
        elif isinstance(item, tuple):
            await m.send_raw(item[0], key=b"c-signed", headers=item[1])
        else:
            await m.send(item)
    expected = [reason for reason, _ in sends if reason is not None]
    await wait_until(lambda: _count_is(m, len(expected)))
    assert (await m.progress("c-signed") or {})["achieved"] == 5
    assert (await m.progress("c-gone") or {})["achieved"] == 7
    m.clock.advance(seconds=m.settings.park_seconds + 1)
    await m.sweep()
    expected.append("parked_expired")
    events = await m.rejections(len(expected), settle=1.0)
    assert sorted(e["reason_code"] for e in events) == sorted(expected)
    assert {r.value for r in RejectionReason} == set(expected)
    by_reason = {e["reason_code"]: e for e in events}
    assert by_reason["malformed"]["original_payload"] == "not json {"
    # keyed by a commitment monitoring knows: its partner's to see
    assert (by_reason["malformed"]["partner_id"], by_reason["malformed"]["commitment_id"]) == (
        "p-acme",
        "c-cloud",
    )
    assert (
        "period 2024-Q4 ends before the commitment's start date"
        in (by_reason["period_out_of_range"]["message"])
    )
    assert (
        "after commitment c-gone was withdrawn on 2026-02-10"
        in (by_reason["reported_after_withdrawal"]["message"])
    )
    assert "plus 30 days of grace" in by_reason["reported_after_deadline"]["message"]
    assert "people_trained" in by_reason["invalid"]["message"]
    assert by_reason["invalid"]["partner_id"] == "p-acme"
    assert len(by_reason["too_large"]["original_payload"]) == 64 * 1024
    assert json.loads(by_reason["not_owner"]["original_payload"])["partner_id"] == "p-other"
    assert by_reason["parked_expired"]["commitment_id"] == "c-missing"

    mine = (await m.http.get("/progress/rejections", headers=m.token())).json()["items"]
    assert {r["partner_id"] for r in mine} == {"p-acme"}
    assert {r["reason"] for r in mine} >= {"period_in_future", "parked_expired", "invalid"}
    assert {r["reason"] for r in mine} >= {"malformed", "too_large"}
    everyone = await m.http.get("/progress/rejections?limit=500", headers=m.token(None))
    assert len(everyone.json()["items"]) == len(expected)
    refused = await m.http.get("/progress/rejections?partner_id=p-other", headers=m.token())
    assert refused.status_code == 403
    pages, cursor = [], None
    while True:
        query = "/progress/rejections?limit=4" + (f"&before={cursor}" if cursor else "")
        page = (await m.http.get(query, headers=m.token(None))).json()
        pages += [r["rejection_id"] for r in page["items"]]
        if not (cursor := page["next"]):
            break
    assert len(pages) == len(set(pages)) == len(expected)
    oldest = await m.http.get("/progress/rejections?before=1:x", headers=m.token(None))
    assert oldest.status_code == 200 and oldest.json()["items"] == []  # before any rejection
    garbled = await m.http.get("/progress/rejections?before=x", headers=m.token(None))
    assert garbled.status_code == 422 and garbled.json()["error"]["field"] == "before"
    stale = await m.http.get("/progress/rejections?reason=stale_revision", headers=m.token())
    assert [r["field"] for r in stale.json()["items"]] == ["revision"]


async def _count_is(m: Monitoring, n: int) -> bool:
    return await m.db["rejections"].count_documents({}) >= n


async def test_post_progress(monitoring: Monitoring) -> None:
    m = monitoring
    private, public = new_key_pair()
    await m.partner()
    await m.partner("p-other")
    await m.partner("p-signer", signing_public_key=public)
    await m.commitment()
    await m.commitment("c-signed", partner_id="p-signer")
    await m.wait_for_commitment("c-signed")
    await m.wait_for_partner("p-other")

    ok = await m.http.post("/progress", json=report("2025-Q1", 40).to_jsonable(), headers=m.token())
    assert ok.status_code == 202, ok.text
    event_id = ok.json()["event_id"]
    without_id = {k: v for k, v in report("2025-Q2", 2).to_jsonable().items() if k != "event_id"}
    generated = await m.http.post("/progress", json=without_id, headers=m.token())
    assert generated.status_code == 202
    doc = await wait_until(lambda: stored_progress(m.db, "c-cloud", achieved=42))
    assert doc["periods"]["2025-Q1"]["event_id"] == event_id
    assert doc["periods"]["2025-Q2"]["event_id"] == generated.json()["event_id"]

    signed = report("2025-Q1", 8, partner_id="p-signer", commitment_id="c-signed")
    value, headers = signed_message(signed, private)
    signature = dict(headers)["pact-signature"].decode()
    posted = await m.http.post(
        "/progress",
        content=value,
        headers=m.token("p-signer")
        | {"content-type": "application/json", "pact-signature": signature},
    )
    assert posted.status_code == 202, posted.text
    await wait_until(lambda: m.db["commitments"].find_one({"_id": "c-signed", "achieved": 8}))
    unsigned_id = {k: v for k, v in json.loads(value).items() if k != "event_id"}
    refused = await m.http.post(
        "/progress", json=unsigned_id, headers=m.token("p-signer") | {"pact-signature": "c2ln"}
    )
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "event_id"

    future = await m.http.post("/progress", json=report("2027-Q1").to_jsonable(), headers=m.token())
    assert future.status_code == 202  # accepted for processing; refused by the rules
    await wait_until(lambda: m.db["rejections"].find_one({"event_id": future.json()["event_id"]}))
    listed = (await m.http.get("/progress/rejections", headers=m.token())).json()["items"]
    assert [(r["event_id"], r["reason"]) for r in listed] == [
        (future.json()["event_id"], "period_in_future"),
    ]

    assert (await m.http.post("/progress", json=report().to_jsonable())).status_code == 401
    theirs = await m.http.post("/progress", json=report().to_jsonable(), headers=m.token("p-other"))
    assert theirs.status_code == 403
    bad = await m.http.post(
        "/progress", json=report().to_jsonable() | {"people_trained": "x"}, headers=m.token()
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "people_trained"
    for spelled, rule in (  # only as the schema spells it, whatever the contract's model reads
        ({"occurred_at": 0}, "datetime_text"),  # was taken as 1970
        ({"occurred_at": "2026-10-05T09:30:00"}, "datetime_text"),  # no offset
        ({"revision": 2.0}, "int_type"),  # integers as integers, as on the topic
        ({"schema_version": "1"}, "int_type"),
        ({"event_id": "8d0c4a9e2f7b4a589f0e3c1d2b4a5e6f"}, "uuid_text"),
        ({"investment_eur": 2e12}, "less_than_equal"),
        ({"by_country": {"DE": 1}}, "breakdown_sum"),  # 100 people trained
    ):
        refused = await m.http.post(
            "/progress", json=report().to_jsonable() | spelled, headers=m.token()
        )
        assert refused.status_code == 422, refused.text
        assert [p["rule"] for p in refused.json()["error"]["problems"]] == [rule], refused.text
    twice = json.dumps(report("2025-Q3", 5).to_jsonable())[:-1] + ', "people_trained": 500}'
    ambiguous = await m.http.post(
        "/progress", content=twice, headers=m.token() | {"content-type": "application/json"}
    )  # refused as on the topic, not taken last-wins
    assert ambiguous.status_code == 422 and ambiguous.json()["error"]["code"] == "malformed"
    huge = await m.http.post("/progress", content=b"x" * (65 * 1024), headers=m.token())
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "too_large"
    assert await m.db["rejections"].count_documents({}) == 1


@pytest.mark.parametrize("overrides", [{"require_signatures": True}])
async def test_where_signatures_are_required_kafka_reports_must_be_signed(
    monitoring: Monitoring,
) -> None:
    """MONITORING_REQUIRE_SIGNATURES (on in production): any Kafka producer can write any
    partner_id, so over Kafka only a report signed by its partner's key is taken; over HTTP
    the token proves the sender, and a partner with no key reports there."""
    m = monitoring
    private, public = new_key_pair()
    _, other_private = new_key_pair()
    await reference_data(m, public)
    unsigned = report("2025-Q1", 10)  # p-acme: no signing key
    forged = report("2025-Q2", 10, partner_id="p-signer", commitment_id="c-signed")
    mine = report("2025-Q3", 10, partner_id="p-signer", commitment_id="c-signed")
    signed_by_acme = report("2025-Q2", 3)
    await m.send(unsigned)
    for event, key in ((forged, other_private), (mine, private)):
        value, headers = signed_message(event, key)
        await m.send_raw(value, key=b"c-signed", headers=headers)
    value, headers = signed_message(signed_by_acme, other_private)  # not p-acme's: it has none
    await m.send_raw(value, key=b"c-cloud", headers=headers)
    over_http = await m.http.post(
        "/progress", json=report("2025-Q4", 40).to_jsonable(), headers=m.token()
    )
    assert over_http.status_code == 202, over_http.text
    events = await m.rejections(3, settle=1.0)
    by_event = {e["original_event_id"]: e for e in events}
    print({k: v["reason_code"] for k, v in by_event.items()})
    assert by_event[str(unsigned.event_id)]["reason_code"] == "unsigned"
    assert "no signing key registered" in by_event[str(unsigned.event_id)]["message"]
    assert by_event[str(forged.event_id)]["reason_code"] == "bad_signature"
    assert by_event[str(signed_by_acme.event_id)]["reason_code"] == "unsigned"
    assert (await m.progress("c-signed") or {})["achieved"] == 10
    assert (await m.progress("c-cloud") or {})["achieved"] == 40
    listed = await m.http.get("/progress/rejections", headers=m.token())
    assert {r["reason"] for r in listed.json()["items"]} == {"unsigned"}
