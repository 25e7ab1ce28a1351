"""A paced loop of CPU work gives the event loop's other tasks turns while it runs (a request
or /health waits a few milliseconds for a batch, not the whole batch); a settled heap keeps
the collector's full passes out of the way; a batch runs with the collector paused."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import subprocess
import sys
import time

from prometheus_client import REGISTRY

from pact_common.turns import GC_THRESHOLDS, LoopLag, collecting_after, paced
from tests.support.turns import ticker


def busy(seconds: float) -> None:
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        pass


async def turns_taken_during(loop_body: str) -> int:
    """How many times a ticker task ran while 100 items of 2 ms of work each were done."""
    async with ticker() as ticks:
        if loop_body == "paced":
            async for _ in paced(range(100), turn=0.005):
                busy(0.002)
        else:
            for _ in range(100):
                busy(0.002)
        return ticks.count


async def test_a_paced_loop_gives_other_tasks_turns_and_a_plain_one_does_not() -> None:
    paced_turns = await turns_taken_during("paced")
    plain_turns = await turns_taken_during("plain")
    print(f"\nticker ran {paced_turns} times during 200 ms of paced work, {plain_turns} unpaced")
    assert plain_turns == 0
    # 200 ms of work in turns of 5 ms: about 40 turns given (at least one every 3 items)
    assert paced_turns >= 20


def test_a_settled_heap_is_frozen_and_collected_less_often() -> None:
    """In a process of its own (the collector is the process's): after settle_heap what
    start-up made is frozen, and a young collection waits for GC_THRESHOLDS[0] allocations."""
    code = (
        "import gc, json; from pact_common.turns import settle_heap; "
        "before = (gc.get_threshold(), gc.get_freeze_count()); settle_heap(); "
        "print(json.dumps([before, (gc.get_threshold(), gc.get_freeze_count())]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    (before_thresholds, frozen_before), (after_thresholds, frozen_after) = json.loads(out.stdout)
    print(f"\nthresholds {before_thresholds} -> {after_thresholds}; frozen {frozen_before} -> "
          f"{frozen_after} objects")  # fmt: skip
    assert tuple(after_thresholds) == GC_THRESHOLDS != tuple(before_thresholds)
    assert frozen_before == 0 and frozen_after > 10_000  # the imports at least


def lag_samples(service: str) -> dict[str, float]:
    """pact_event_loop_lag_seconds of `service`: its count, and how many were over 0.1 s."""
    found = {"count": 0.0, "over_100ms": 0.0}
    for family in REGISTRY.collect():
        for sample in family.samples:
            if sample.labels.get("service") != service:
                continue
            if sample.name == "pact_event_loop_lag_seconds_count":
                found["count"] = sample.value
            elif sample.name.endswith("_bucket") and sample.labels["le"] == "0.1":
                found["over_100ms"] = -sample.value
    found["over_100ms"] += found["count"]
    return found


async def test_the_loop_lag_shows_a_step_that_held_the_loop() -> None:
    lag = LoopLag("lag-test", every=0.02)
    lag.start()
    await asyncio.sleep(0.1)  # a few quiet wake-ups
    quiet = lag_samples("lag-test")
    busy(0.15)  # one step holds the loop for 150 ms
    await asyncio.sleep(0.05)
    await lag.stop()
    after = lag_samples("lag-test")
    print(f"\nquiet: {quiet}; after a 150 ms step: {after}")
    assert quiet["count"] >= 3 and quiet["over_100ms"] == 0
    assert after["over_100ms"] == 1


async def test_the_collector_waits_for_the_last_of_the_batches_that_overlap() -> None:
    """Two batches overlapping on the loop: no automatic collection until both have ended,
    then the collector runs again; a collector that was off stays off."""
    assert gc.isenabled()
    first_in, second_done = asyncio.Event(), asyncio.Event()
    seen: list[bool] = []

    async def first() -> None:
        with collecting_after():
            first_in.set()
            await second_done.wait()
            seen.append(gc.isenabled())  # the second has ended, this one still runs

    async def second() -> None:
        await first_in.wait()
        with collecting_after():
            seen.append(gc.isenabled())
        second_done.set()

    await asyncio.gather(first(), second())
    print(f"collector on inside the second, then inside the first alone: {seen}")
    assert seen == [False, False] and gc.isenabled()
    gc.disable()
    try:
        with collecting_after():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_paused_collector_resumes_when_the_batch_fails() -> None:
    with contextlib.suppress(RuntimeError), collecting_after():
        assert not gc.isenabled()
        raise RuntimeError("the batch failed; the consumer retries it")
    assert gc.isenabled()
