"""The forecast against the plan on mongod and Tansu: a back-loaded plan (2,000 of 20,000 by
the end of 2026, the rest in 2027) reported exactly on plan raises no at-risk alert, while
one reporting 80% of its plan is at risk, its text stating the monthly pace it now needs;
the progress API gives the forecast's range, and a rebuild decides the same."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from monitoring.rebuild.replay import rebuild
from pact_contracts import ALERTS, Milestone
from tests.support.kafka import read_topic

from .conftest import Monitoring, report

pytestmark = pytest.mark.integration
#: what the plan gives each quarter of 2025 and 2026: 2,000 over their 730 days
ON_PLAN = {"Q1": 247, "Q2": 249, "Q3": 252, "Q4": 252}
BACK_LOADED = {"milestones": [Milestone(due_date=date(2026, 12, 31), value=2000)]}


async def decided(db: Any) -> dict[str, Any]:
    alerts = await db["alerts"].find({"status": {"$ne": "resolved"}}).sort("_id").to_list()
    commitments = await db["commitments"].find().sort("_id").to_list()
    return {
        "alerts": [(a["_id"], a["status"], a["episode"]) for a in alerts],
        "commitments": [(c["_id"], c["achieved"], c["on_track"]) for c in commitments],
    }


def quarters() -> list[tuple[str, datetime]]:
    """Each quarter of 2025 and 2026 and the day its report is sent (5 days after it)."""
    ends = {"Q1": (3, 31), "Q2": (6, 30), "Q3": (9, 30), "Q4": (12, 31)}
    return [
        (f"{year}-{q}", datetime(year, month, day, 9, 0, tzinfo=UTC) + timedelta(days=5))
        for year in (2025, 2026)
        for q, (month, day) in ends.items()
    ]


async def test_a_back_loaded_plan_on_plan_is_not_at_risk_and_a_lagging_one_is(
    monitoring: Monitoring, mongo_client: Any
) -> None:
    m = monitoring
    m.clock.now = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)  # too early to tell
    await m.partner()
    await m.wait_for_partner()
    for commitment_id in ("c-plan", "c-lag"):
        await m.commitment(commitment_id, **BACK_LOADED)
        await m.wait_for_commitment(commitment_id)
    totals = {"c-plan": 0, "c-lag": 0}
    for period, sent_on in quarters():  # each on time; "c-lag" at 80% of its plan
        m.clock.now = sent_on
        for commitment_id, share in (("c-plan", 1.0), ("c-lag", 0.8)):
            value = round(ON_PLAN[period[-2:]] * share)
            totals[commitment_id] += value
            await m.send(report(period, value, commitment_id=commitment_id))
            await m.barrier(commitment_id)
        await m.sweep()
    assert totals == {"c-plan": 2000, "c-lag": 1602}
    m.clock.now = datetime(2027, 1, 31, 9, 0, tzinfo=UTC)  # the milestone's grace passed
    await m.sweep()

    events = await m.alerts(3, settle=1.5)
    fired = [(e["fingerprint"], e["event_type"]) for e in events]
    assert sorted(fired) == [
        ("CommitmentAtRisk:commitment:c-lag", "AlertFired"),
        ("MilestoneAchieved:commitment:c-plan:2026-12-31", "AlertFired"),
        ("MilestoneMissed:commitment:c-lag:2026-12-31", "AlertFired"),
    ]
    at_risk = next(e for e in events if e["rule"] == "CommitmentAtRisk")
    # it fired once the first year was reported: 800 of 20,000 with 730 days left
    assert "needs 801 people trained a month from now to the deadline" in at_risk["message"]
    now = await m.http.get("/alerts/CommitmentAtRisk:commitment:c-lag", headers=m.token())
    live = now.json()
    assert live["status"] == "firing" and live["current"]["holds"] is True
    needed = (20000 - 1602) / (365 / (365.25 / 12))  # the months from 2026-12-31 to 2027-12-31
    assert f"needs {needed:,.0f} people trained a month from now" in live["current_text"]
    assert "needs 1,534 people trained a month from now" in live["current_text"]

    plan = (await m.http.get("/progress/commitments/c-plan", headers=m.token())).json()
    assert plan["forecast"]["as_of"] == "2026-12-31"
    assert plan["forecast"]["expected_now"] == 2000
    assert 19000 < plan["forecast"]["low"] <= plan["forecast"]["central"]
    assert plan["forecast"]["central"] <= plan["forecast"]["high"] < 20100
    assert plan["projected"] == plan["forecast"]["central"]
    lag = (await m.http.get("/progress/commitments/c-lag", headers=m.token())).json()
    assert lag["forecast"]["high"] < 0.9 * 20000
    assert round(lag["forecast"]["needed_per_month"]) == 1534
    assert lag["forecast"]["expected_now"] == 2000

    published = len(await read_topic(m.topic(ALERTS), 1, settle=2.0))  # every partition
    name = f"{m.settings.mongo_db}-rebuilt"
    try:
        summary = await rebuild(
            m.settings.model_copy(update={"mongo_db": name}),
            clock=m.clock,
            carry_from=m.settings.mongo_db,
            idle_seconds=30,
        )
        assert summary.alerts_aligned == 0  # the rebuild decided the same alerts
        # the live service decided over two years of clock, the rebuild on the last day
        # (what fired and resolved on the way differs): the same alerts hold now, and the
        # same progress
        assert await decided(mongo_client[name]) == await decided(m.db)
        assert len(await read_topic(m.topic(ALERTS), published, settle=1.0)) == published
    finally:
        await mongo_client.drop_database(name)
