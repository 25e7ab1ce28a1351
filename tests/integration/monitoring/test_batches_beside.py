"""On the real broker and mongod: a progress batch of other commitments than the batch being
stored is stored beside it (pact_common.in_flight), its sums in a lane of their own; every
sum still holds, and a partnership target that the two batches reach together fires once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import pytest

from monitoring.core.adapters.lanes import LANE_OF
from monitoring.core.domain.commands import TakeReports
from monitoring.views.adapters.aggregate_views import AggregateViews
from pact_contracts import PartnershipCreated, PartnershipTarget, PartnershipTargetSet
from tests.support.kafka import wait_until

from .conftest import Monitoring, report

pytestmark = pytest.mark.integration

COMMITMENTS = ("c-one", "c-two")


async def test_a_batch_of_other_commitments_is_stored_beside_and_every_sum_holds(
    monitoring: Monitoring,
) -> None:
    m = monitoring
    await m.send(
        PartnershipCreated(
            partnership_id="digital-ecosystem", name="Digital Ecosystem", ecosystem="digital"
        )
    )
    await m.send(
        PartnershipTargetSet(
            target_id="t-both",
            target_version=1,
            target=PartnershipTarget(
                partnership_id="digital-ecosystem",
                title="1,000 trained",
                metric="people_trained",
                target_value=1000,
                start_date=date(2025, 1, 1),
                deadline=date(2030, 12, 31),
            ),
        )
    )
    await m.partner()
    for c in COMMITMENTS:
        await m.commitment(c)
        await m.wait_for_commitment(c)
    progress = m.app.state.progress
    real: Callable[[TakeReports], Awaitable[Any]] = progress.take
    taken: list[tuple[int, list[str]]] = []

    async def take(cmd: TakeReports) -> Any:
        taken.append((cmd.held.slot, sorted({r.commitment_id for r in cmd.reports})))
        await asyncio.sleep(0.5)  # stored slowly: the next batch is read meanwhile
        return await real(cmd)

    progress.take = take
    await m.send(report("2025-Q1", 600, commitment_id="c-one"))
    await wait_until(lambda: taken)
    await m.send(report("2025-Q1", 500, commitment_id="c-two"))  # read while c-one's is stored
    for c, n in zip(COMMITMENTS, (600, 500), strict=True):
        await wait_until(lambda c=c, n=n: m.db["commitments"].find_one({"_id": c, "achieved": n}))
    print("batches (slot, commitments):", taken)
    assert taken == [(0, ["c-one"]), (1, ["c-two"])]  # the second beside the first
    laned = await m.db["rollups"].count_documents({LANE_OF: "partner:p-acme"})
    assert laned == 1  # the partner's sum in two documents: its own and the second lane's
    views = AggregateViews(m.db)
    partner = await views.rollup("partner", "p-acme")
    partnership = await views.rollup("partnership", "digital-ecosystem")
    assert partner is not None and partner["people_trained"] == 1100
    assert partnership is not None and partnership["people_trained"] == 1100
    series = await views.series("partnership:digital-ecosystem", "quarter")
    print("series:", series)
    assert [(p.period, p.figures.people_trained, p.commitments_reporting) for p in series] == [
        ("2025-Q1", 1100, 2)
    ]
    # 600 and 500: neither batch alone reaches the target, whether or not it saw the other's
    alerts = await m.alerts(1, settle=2.0)
    fired = [a for a in alerts if a["event_type"] == "AlertFired" and a["subject_id"] == "t-both"]
    print("alerts:", [(a["event_type"], a["rule"], a["subject_id"]) for a in alerts])
    assert len(fired) == 1 and fired[0]["rule"] == "TargetAchieved"
