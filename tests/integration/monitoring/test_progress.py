"""Reports flow from the topic into the projections and the query API; corrections by
revision; duplicates and replays change nothing; early reports wait for their commitment."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from monitoring.core.adapters.lanes import by_key
from pact_contracts import (
    CommitmentAmended,
    PartnershipCreated,
    PartnershipTarget,
    PartnershipTargetSet,
)
from tests.support.kafka import wait_until
from tests.support.progress_store import stored_progress

from .conftest import Monitoring, report

pytestmark = pytest.mark.integration


async def achieved(m: Monitoring, value: float, commitment_id: str = "c-cloud") -> Any:
    return await wait_until(lambda: stored_progress(m.db, commitment_id, achieved=value))


async def test_reports_flow_to_projections_and_the_query_api(monitoring: Monitoring) -> None:
    m = monitoring
    await m.send(
        PartnershipCreated(
            partnership_id="digital-ecosystem", name="Digital Ecosystem", ecosystem="digital"
        )
    )
    await m.send(
        PartnershipTargetSet(
            target_id="t-1k",
            target_version=1,
            target=PartnershipTarget(
                partnership_id="digital-ecosystem",
                title="1,000 trained",
                metric="people_trained",
                target_value=1000,
                baseline=100,
                start_date=date(2025, 1, 1),
                deadline=date(2030, 12, 31),
            ),
        )
    )
    await m.partner()
    await m.partner("p-other")
    await m.commitment()
    await m.wait_for_commitment()
    await m.send(
        report(
            "2025-Q1",
            600,
            by_country={"DE": 400, "FR": 200},
            by_gender={"female": 300, "male": 300},
            investment_eur=1000.5,
            people_reached=5000,
            programmes_developed=2,
        )
    )
    await m.send(report("2025-Q2", 300, investment_eur=0.25))
    doc = await achieved(m, 900)
    assert doc["totals"]["by_country"] == {"DE": 400, "FR": 200}
    assert doc["totals"]["investment_cents"] == 100075
    assert [p["period"] for p in doc["series"]] == ["2025-Q1", "2025-Q2"]
    rollups = by_key(await m.db["rollups"].find().to_list())  # lanes added up
    assert rollups["partner:p-acme"]["people_trained"] == 900
    assert rollups["partnership:digital-ecosystem"]["people_reached"] == 5000
    assert rollups["country:DE"]["people_trained"] == 400
    assert rollups["level:advanced"]["people_trained"] == 900  # the commitment's only level
    assert rollups["partner:p-acme"]["commitments"] == 1

    mine = await m.http.get("/progress/commitments/c-cloud", headers=m.token())
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert (body["achieved"], body["share"], body["metric"]) == (900, 0.045, "people_trained")
    assert body["totals"]["investment_eur"] == 1000.75
    assert [(p["period"], p["cumulative"]) for p in body["periods"]] == [
        ("2025-Q1", 600),
        ("2025-Q2", 900),
    ]
    assert {a["rule"] for a in body["alerts"]} == {"CommitmentAtRisk", "ReportingOverdue"}
    await m.wait_for_partner("p-other")  # known, so refused for what it asks, not for who
    theirs = await m.http.get("/progress/commitments/c-cloud", headers=m.token("p-other"))
    assert theirs.status_code == 403
    assert (await m.http.get("/progress/commitments/c-cloud", headers=m.token(None))).is_success
    missing = await m.http.get("/progress/commitments/c-none", headers=m.token(None))
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "commitment_id"
    assert (await m.http.get("/progress/commitments/c-cloud")).status_code == 401

    partnership = await m.http.get(
        "/progress/partnerships/digital-ecosystem", headers=m.token("p-other")
    )  # one partner's figures: the secretariat's to see, not another partner's
    assert partnership.status_code == 403, partnership.text
    assert partnership.json()["error"]["code"] == "too_few_partners"
    partnership = await m.http.get(
        "/progress/partnerships/digital-ecosystem", headers=m.token(None)
    )
    assert partnership.status_code == 200, partnership.text
    p = partnership.json()
    assert (p["name"], p["people_trained"], p["investment_eur"]) == (
        "Digital Ecosystem",
        900,
        1000.75,
    )
    assert [(t["target_id"], t["achieved"]) for t in p["targets"]] == [("t-1k", 1000)]
    nowhere = await m.http.get("/progress/partnerships/nowhere", headers=m.token())
    assert nowhere.status_code == 404
    fired = [a for a in await m.alerts(3, settle=0.5) if a["subject_id"] == "t-1k"]
    assert [(a["event_type"], a["rule"], a["actual"]) for a in fired] == [
        ("AlertFired", "TargetAchieved", 1000),
    ]


async def test_corrections_duplicates_and_replays(monitoring: Monitoring) -> None:
    m = monitoring
    await m.partner()
    await m.commitment()
    await m.wait_for_commitment()
    first = report("2025-Q1", 500)
    sent = [first, report("2025-Q2", 100), report("2025-Q1", 450, revision=2)]
    for r in sent:
        await m.send(r)
    await achieved(m, 550)
    stale = report("2025-Q1", 999, revision=2)
    reused = first.model_copy(update={"people_trained": 1})
    await m.send(stale)
    await m.send(reused)
    await m.barrier()
    before = await m.snapshot()
    assert before["commitments"][0]["achieved"] == 550
    assert before["commitments"][0]["stale_reports"] == 1
    assert sorted(r["reason"] for r in before["rejections"]) == [
        "event_id_reused",
        "stale_revision",
    ]

    for r in [*sent, stale, reused, *sent]:  # redelivered, then the whole topic replayed
        await m.send(r)
    await m.barrier()
    assert await m.snapshot() == before
    rejected = await m.rejections(4, settle=1.0)  # two reports, two barriers
    assert sorted(r["reason_code"] for r in rejected) == [
        "event_id_reused",
        "stale_revision",
        "unknown_partner",
        "unknown_partner",
    ]


async def test_early_reports_are_parked_then_applied(monitoring: Monitoring) -> None:
    m = monitoring
    await m.partner()
    await m.wait_for_partner()
    early = report("2025-Q3", 70, commitment_id="c-late")
    await m.send(early)
    await m.send(report("2025-Q4", 30, commitment_id="c-late"))
    await wait_until(lambda: m.db["parked_reports"].count_documents({}))
    await m.barrier("c-late")
    assert await m.db["parked_reports"].count_documents({"commitment_id": "c-late"}) == 2
    assert await m.progress("c-late") is None
    await m.commitment("c-late")
    doc = await achieved(m, 100, "c-late")
    assert doc["periods"]["2025-Q3"]["event_id"] == str(early.event_id)
    assert await m.db["parked_reports"].count_documents({}) == 0
    await m.send(early)  # applied once, even when it comes again after its commitment
    await m.barrier("c-late")
    assert (await m.progress("c-late") or {})["achieved"] == 100
    # An amendment keeps the figures and moves them with the commitment.
    await m.commitment("c-late", version=2, kind=CommitmentAmended, partnership_id="cloud-lsp")
    await m.wait_for_commitment("c-late", version=2)
    rollups = by_key(await m.db["rollups"].find().to_list())  # lanes added up
    assert rollups["partnership:cloud-lsp"]["people_trained"] == 100
    assert rollups["partnership:digital-ecosystem"]["people_trained"] == 0
