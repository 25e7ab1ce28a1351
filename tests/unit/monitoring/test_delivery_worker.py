"""The delivery worker's run_once, which tests and operators call beside the background loop:
it reports the outcomes of the attempts it made, never those of an attempt the loop had in
flight when it was called."""

from __future__ import annotations

import asyncio
from collections import Counter

from monitoring.notify.entrypoints.delivery_worker import DeliveryWorker


class LoopInFlight:
    """A dispatcher with nothing due and one attempt in flight, the background loop's: its
    outcome is stored, then counted when the attempt ends (as Dispatcher._attempt does)."""

    def __init__(self) -> None:
        self.outcomes: Counter[str] = Counter()
        self.release = asyncio.Event()
        self.running = {"partner:p-acme": asyncio.create_task(self._attempt())}
        self.dispatched = 0

    async def _attempt(self) -> None:
        await self.release.wait()
        self.outcomes["failed"] += 1
        self.running.pop("partner:p-acme")

    async def dispatch(self) -> int:
        self.dispatched += 1
        return 0

    async def settle(self, timeout: float | None) -> None:
        if self.running:
            await asyncio.wait(set(self.running.values()), timeout=timeout)


async def nothing() -> None:
    return None


async def test_an_attempt_in_flight_when_run_once_is_called_is_not_its_outcome() -> None:
    dispatcher = LoopInFlight()
    worker = DeliveryWorker(dispatcher, nothing, poll_seconds=0.05)  # type: ignore[arg-type]
    asyncio.get_running_loop().call_later(0.05, dispatcher.release.set)
    made = await worker.run_once()
    print(f"run_once: {dict(made)}; every outcome: {dict(dispatcher.outcomes)}")
    assert dispatcher.outcomes == {"failed": 1}  # the loop's attempt ended and was counted
    assert made == Counter()  # but run_once made none
    assert dispatcher.dispatched >= 1  # it did look for due deliveries
