"""Stopping background work: a cancelled task that ends is awaited; one that swallows its
cancellation is left behind after the bound, named in a warning with where it waits,
instead of holding the service's shutdown forever."""

from __future__ import annotations

import asyncio
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
