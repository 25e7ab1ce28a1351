"""The background delivery worker: works the webhook delivery outbox (due deliveries are
claimed with a lease, sent, and their outcome stored), in every service instance. What is due
follows the service's clock; a stopped worker ends its leases, a crashed one's expire."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

Step = Callable[[], Awaitable[Counter[str]]]
Release = Callable[[], Awaitable[None]]
#: bounds one round, should deliveries keep coming due
MAX_STEPS = 1_000


class DeliveryWorker:
    def __init__(
        self, step: Step, release: Release, poll_seconds: float, logger: Any = None
    ) -> None:
        self._step = step
        self._release = release
        self._poll = poll_seconds
        self._log = logger
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def notify(self) -> None:
        """Something may be due now: look without waiting for the next poll."""
        self._wake.set()

    async def run_once(self) -> Counter[str]:
        """Steps until nothing is due; returns the outcomes by status."""
        total: Counter[str] = Counter()
        for _ in range(MAX_STEPS):
            outcomes = await self._step()
            if not outcomes:
                break
            total.update(outcomes)
        return total

    async def run(self) -> None:
        while True:
            self._wake.clear()
            try:
                outcomes = await self.run_once()
            except Exception as exc:  # noqa: BLE001 - the worker must outlive db outages
                if self._log is not None:
                    self._log.warning("webhook deliveries failed; retrying", error=str(exc))
                outcomes = Counter()
            if outcomes and self._log is not None:
                self._log.info("webhook deliveries", **outcomes)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll)

    def start(self) -> None:
        if not self.running:
            self._task = asyncio.create_task(self.run(), name="monitoring-webhook-deliveries")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        with contextlib.suppress(Exception):
            await self._release()
