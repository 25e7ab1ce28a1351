"""Two progress batches may be stored at once (pact_common.in_flight), in two lanes; the
owned targets' pass then evaluates the targets again, alone: each batch evaluated them
without the other's sums (progress_consumer.Storing, targets.OwnedTargets)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from monitoring.core.domain.commands import TakeReports
from monitoring.core.domain.ownership import Held
from monitoring.core.entrypoints.progress_consumer import Storing, apart
from monitoring.core.entrypoints.targets import OwnedTargets

from .builders import report

ALONE = Held(frozenset({0, 1, 2, 3}), 4)  # one instance: every partition of four


def test_a_batch_beside_another_adds_to_a_lane_no_instance_writes() -> None:
    lanes = {
        (held.partitions, slot): Held(held.partitions, held.count, slot).lane
        for held in (ALONE, Held(frozenset({1}), 4), Held(frozenset({2, 3}), 4))
        for slot in (0, 1)
    }
    print("lanes:", lanes)
    assert sorted(lanes.values()) == [0, 1, 2, 4, 5, 6]  # none twice


def test_a_batch_is_apart_by_its_commitments_and_alone_without_the_partitions() -> None:
    reports = [report("2025-Q1", 10), report("2025-Q2", 20, commitment_id="c-data")]
    assert apart(TakeReports(reports, [], ALONE)) == frozenset({"c-cloud", "c-data"})
    assert apart(TakeReports(reports, [])) is None  # no lanes to keep it apart in


async def test_batches_share_it_and_say_when_two_were_in_at_once() -> None:
    storing = Storing()
    async with storing.batch():
        pass
    async with storing.batch():
        pass
    assert not storing.overlapped
    async with storing.batch(), storing.batch():
        pass
    assert storing.overlapped


async def test_the_pass_waits_for_the_batches_in_and_those_after_it_wait_for_the_pass() -> None:
    storing, log = Storing(), []
    release = asyncio.Event()

    async def batch(name: str, wait: bool = False) -> None:
        async with storing.batch():
            log.append(f"{name} in")
            if wait:
                await release.wait()
            log.append(f"{name} out")

    async def the_pass() -> None:
        async with storing.alone():
            log.append("pass")

    first = asyncio.create_task(batch("k", wait=True))
    await asyncio.sleep(0.01)
    passing = asyncio.create_task(the_pass())
    await asyncio.sleep(0.01)
    later = asyncio.create_task(batch("k+1"))  # asked after the pass: waits for it
    await asyncio.sleep(0.01)
    assert log == ["k in"]
    release.set()
    await asyncio.wait_for(asyncio.gather(first, passing, later), 1)
    print("order:", log)
    assert log == ["k in", "k out", "pass", "k+1 in", "k+1 out"]


@dataclass
class Progress:
    held: Held = ALONE
    storing: Storing = field(default_factory=Storing)


async def test_alone_the_pass_evaluates_every_target_only_after_two_batches_were_in_at_once() -> (
    None
):
    progress, settled = Progress(), []

    async def settle(held: Held) -> int:
        settled.append(held)
        return 3

    owned = OwnedTargets(progress, settle, interval=1)  # type: ignore[arg-type]
    assert await owned._owned() is None and settled == []  # one batch at a time: nothing
    async with progress.storing.batch(), progress.storing.batch():
        pass
    assert await owned._owned() == 3 and settled == [ALONE]
    assert not progress.storing.overlapped  # until two are in at once again
    assert await owned._owned() is None and settled == [ALONE]
    progress.held = Held(frozenset({1}), 4)  # one of two instances: every time
    assert await owned._owned() == 3 and len(settled) == 2
