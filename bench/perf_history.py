"""History depth: does the rate fall as each commitment's history grows? The same
commitments, monthly, their window begun 10 months ago or 120 months ago (ten years); each
reports every one of its months once, in turns. The rate compared is over the same ten
months in both worlds, the last ten: in the shallow world the commitments hold 1 to 10
periods as they report them, in the deep world 111 to 120 (it reports its first 110 months
before, in the same run, not counted). Every report is a new period (a world that corrected
its last period instead would measure something else: corrections of one period coalesce
within a batch into one cell write, new periods never do); the months, their milestones and
the alerts they raise are those of the same calendar; batches are as large as the world has
commitments, so each carries one report per commitment in both; the first batch of the ten
months is not counted in either (the shallow service has just started). The deep world's
first ten months are timed too (1 to 10 periods held, as in the shallow world, but ten years
of milestones and the alerts they fired at the pledge): against the shallow world's rate
they show what the deep world costs that is not depth; against its own last months, what
depth adds."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from bench.perf_ingest import Trace
from bench.perf_phases import Bench, one_ingestion
from bench.perf_world import World, _milestones, make_world
from pact_contracts import CommitmentPledged

DEPTHS = (10, 120)
BATCH_SETTING = "MONITORING_PROGRESS_BATCH_MAX_RECORDS"


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


def rate_between(samples: list[tuple[float, int, int]], low: int, high: int) -> float | None:
    """Reports/s between the polls that first saw `low` and `high` receipts."""
    trace = Trace(samples)
    start, end = trace.first(low), trace.first(high)
    if start is None or end is None or end[0] <= start[0]:
        return None
    return (high - low) / (end[0] - start[0])


async def history(bench: Bench, n: int, run: int = 1) -> dict[str, Any]:
    """`n`: the deep world's reports (n/120 commitments); `run`: which repetition (each on
    a namespace and database of its own)."""
    deep_depth, shallow_depth = max(DEPTHS), min(DEPTHS)
    commitments = max(1, n // deep_depth)
    settings = {BATCH_SETTING: str(commitments)}
    out: dict[str, Any] = {"commitments": commitments, "batch": commitments}
    for months in DEPTHS:
        world = history_world(commitments, bench.today, months)
        reports = commitments * months
        tag = f"history-{months}" + (f"-{run}" if run > 1 else "")
        ran = await one_ingestion(bench, tag, world, reports, settings=settings)
        ingest = ran["ingest"]
        # the last ten months, their first batch left out
        low = commitments * (months - shallow_depth + 1)
        rate = rate_between(ingest["samples"], low, reports)
        # and its first ten months the same way: the deep world's cost that is not depth
        first = rate_between(ingest["samples"], commitments, commitments * shallow_depth)
        out[f"months_{months}"] = ingest | {
            "preload": ran["preload"],
            "reports": reports,
            "last_months_per_s": round(rate) if rate else None,
            "last_months_reports": reports - low,
            "first_months_per_s": round(first) if first else None,
        }
    shallow = out[f"months_{shallow_depth}"]["last_months_per_s"]
    deep = out[f"months_{deep_depth}"]["last_months_per_s"]
    out["ratio"] = round(deep / shallow, 3) if shallow and deep else None
    return out
