"""A paced loop of CPU work gives the event loop's other tasks turns while it runs (a request
or /health waits a few milliseconds for a batch, not the whole batch); a settled heap keeps
the collector's full passes out of the way."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from pact_common.turns import GC_THRESHOLDS, paced
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
