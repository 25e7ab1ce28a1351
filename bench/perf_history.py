"""History depth: the same N reports into the same number of commitments, monthly, whose
window began 10 months ago or 120 months ago (ten years). Commitments number N / 120, so in
the deep world each reports every one of its 120 months once, its history growing to the
last report; in the shallow world each reports its 10 months, then corrects the last."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from bench.perf_phases import Bench, one_ingestion
from bench.perf_world import World, _milestones, make_world
from pact_contracts import CommitmentPledged

DEPTHS = (10, 120)


def months_before(today: date, months: int) -> date:
    """The first day of the month `months` months before this one."""
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def history_world(commitments: int, today: date, months: int) -> World:
    """make_world's partners and commitments, each monthly with `months` months begun by
    today (this month included), due at the end of next year."""
    world = make_world(commitments, today, seed=13)
    start, deadline = months_before(today, months - 1), date(today.year + 1, 12, 31)
    events: list[Any] = []
    for event in world.commitment_events:
        if isinstance(event, CommitmentPledged):
            c = event.commitment
            snapshot = type(c).model_validate(
                c.model_dump()
                | {
                    "start_date": start,
                    "deadline": deadline,
                    "cadence": "monthly",
                    "milestones": _milestones(start, deadline, c.target_value),
                }
            )
            event = event.model_copy(update={"commitment": snapshot})
        events.append(event)
    world.commitment_events = events
    world.commitments = [
        replace(c, start_date=start, deadline=deadline, cadence="monthly")
        for c in world.commitments
    ]
    return world


async def history(bench: Bench, n: int) -> dict[str, Any]:
    commitments = max(1, n // max(DEPTHS))
    out: dict[str, Any] = {"commitments": commitments, "reports": n}
    for months in DEPTHS:
        world = history_world(commitments, bench.today, months)
        run = await one_ingestion(bench, f"history-{months}", world, n)
        out[f"months_{months}"] = run["ingest"] | {"preload": run["preload"]}
    shallow = out[f"months_{DEPTHS[0]}"]["events_per_s"]
    deep = out[f"months_{DEPTHS[-1]}"]["events_per_s"]
    out["ratio"] = round(deep / shallow, 3) if shallow else None
    return out
