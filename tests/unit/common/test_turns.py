"""A paced loop of CPU work gives the event loop's other tasks turns while it runs (a request
or /health waits a few milliseconds for a batch, not the whole batch)."""

from __future__ import annotations

import asyncio
import time

from pact_common.turns import paced


def busy(seconds: float) -> None:
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        pass


async def turns_taken_during(loop_body: str) -> int:
    """How many times a ticker task ran while 100 items of 2 ms of work each were done."""
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)  # the ticker starts
    before = ticks
    if loop_body == "paced":
        async for _ in paced(range(100), turn=0.005):
            busy(0.002)
    else:
        for _ in range(100):
            busy(0.002)
    during = ticks - before
    done.set()
    await task
    return during


async def test_a_paced_loop_gives_other_tasks_turns_and_a_plain_one_does_not() -> None:
    paced_turns = await turns_taken_during("paced")
    plain_turns = await turns_taken_during("plain")
    print(f"\nticker ran {paced_turns} times during 200 ms of paced work, {plain_turns} unpaced")
    assert plain_turns == 0
    # 200 ms of work in turns of 5 ms: about 40 turns given (at least one every 3 items)
    assert paced_turns >= 20
