"""Stopping background work: a cancelled task that ends is awaited; one that swallows its
cancellation is left behind after the bound, named in a warning with where it waits,
instead of holding the service's shutdown forever."""

from __future__ import annotations

import asyncio
import contextlib
import time

from structlog.testing import capture_logs

from pact_common.background import BackgroundTask, cancelled


async def obedient() -> None:
    await asyncio.sleep(3600)


async def stubborn(release: asyncio.Event) -> None:
    while not release.is_set():
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            await release.wait()  # swallows the cancellation, as a wait_for race can


async def test_a_task_that_swallows_its_cancellation_is_left_behind_and_named() -> None:
    release = asyncio.Event()
    good = asyncio.create_task(obedient(), name="good")
    bad = asyncio.create_task(stubborn(release), name="swallower")
    await asyncio.sleep(0)
    started = time.monotonic()
    with capture_logs() as logs:
        await cancelled([good, bad], seconds=0.2)
    took = time.monotonic() - started
    print(f"stop took {took:.2f} s; warnings: {[(e['event'], e['task']) for e in logs]}")
    assert good.cancelled()
    assert not bad.done()  # left behind, not awaited forever
    assert [(e["event"], e["task"]) for e in logs] == [
        ("a stopped task did not end; left behind", "swallower")
    ]
    assert "stubborn" in logs[0]["stack"]  # where it waits
    release.set()
    await bad


async def failing() -> None:
    raise RuntimeError("lost the database")


async def test_a_task_that_had_failed_is_said_when_it_is_stopped() -> None:
    task = asyncio.create_task(failing(), name="relay")
    await asyncio.sleep(0)
    with capture_logs() as logs:
        await cancelled([task], seconds=0.2)
    said = [(e["event"], e["task"], e["error"]) for e in logs]
    print(said)
    assert said == [("a stopped task had failed", "relay", "RuntimeError('lost the database')")]


class Napper(BackgroundTask):
    async def run(self) -> None:
        while True:
            await self.nap(3600)


async def test_a_background_task_stops_at_once_when_it_ends_on_cancel() -> None:
    task = Napper("napper")
    task.start()
    await asyncio.sleep(0)
    with capture_logs() as logs:
        await task.stop()
    assert not task.running and logs == []


class Swallower(BackgroundTask):
    """Its work swallows the cancellation (as a library's wait can on its way out) and goes
    on to its next turn, as the outbox relay did against a closed client, warning every
    tenth of a second in the processes that had stopped it."""

    def __init__(self) -> None:
        super().__init__("swallower")
        self.turns = 0

    async def run(self) -> None:
        while not self.stopping:
            self.turns += 1
            with contextlib.suppress(asyncio.CancelledError):  # swallowed
                await asyncio.sleep(3600)
            await asyncio.sleep(0.01)


async def test_a_task_whose_cancellation_is_swallowed_still_ends_once_stopped() -> None:
    task = Swallower()
    task.start()
    await asyncio.sleep(0)
    started = time.monotonic()
    with capture_logs() as logs:
        await task.stop()
    took = time.monotonic() - started
    print(f"stopped in {took:.3f} s after {task.turns} turn(s); warnings: {logs}")
    assert not task.running and task.turns == 1
    assert logs == [] and took < 1  # not left behind after the bound, working on
