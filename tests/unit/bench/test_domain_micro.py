"""The in-process benchmark tool (`python -m bench.domain_micro`, docs/performance.md) still runs
the hot path against the unit of work as it is: on a small world every report is taken once
(a receipt each) and the partners' rollups hold exactly the people trained the simulator
reported. Before 2026-12-06 a port added to the unit of work (its rejections) broke the tool
without any test noticing."""

from __future__ import annotations

import argparse

import pytest

from bench.domain_micro import one_pass


@pytest.mark.parametrize(("batch", "skip"), [(7, 0), (100, 0), (100, 300)])
async def test_every_report_is_taken_once_and_the_rollups_match_the_simulator(
    batch: int, skip: int
) -> None:
    """`skip`: the first reports taken untimed (then only corrections are timed)."""
    args = argparse.Namespace(commitments=40, reports=600, batch=batch, skip=skip)
    done = await one_pass(args, profile=None)
    print(
        f"batches of {batch}, {skip} untimed: {done.reports} reports read, "
        f"{done.receipts} receipts, "
        f"{done.alerts} alerts, people trained {done.trained:,} (simulator {done.simulated:,}), "
        f"take_reports {done.take_us:.0f} µs a report"
    )
    assert done.reports == 600
    assert done.receipts == done.reports
    assert done.trained == done.simulated > 0
