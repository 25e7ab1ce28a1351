"""The background delivery worker: works the webhook delivery queue (due deliveries are
claimed with a lease, sent, and their outcome stored), in every service instance. What is due
follows the service's clock; a stopped worker ends its leases, a crashed one's expire."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from pact_common.background import BackgroundTask

Step = Callable[[], Awaitable[Counter[str]]]
Release = Callable[[], Awaitable[None]]
#: bounds one round, should deliveries keep coming due
MAX_STEPS = 1_000


class DeliveryWorker(BackgroundTask):
    def __init__(
        self, step: Step, release: Release, poll_seconds: float, logger: Any = None
    ) -> None:
        super().__init__("monitoring-webhook-deliveries")
        self._step = step
        self._release = release
        self._poll = poll_seconds
        self._log = logger

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
            try:
                outcomes = await self.run_once()
            except Exception as exc:  # noqa: BLE001 - the worker must outlive db outages
                if self._log is not None:
                    self._log.warning("webhook deliveries failed; retrying", error=str(exc))
                outcomes = Counter()
            if outcomes and self._log is not None:
                self._log.info("webhook deliveries", **outcomes)
            await self.nap(self._poll)

    async def _stopped(self) -> None:
        """End the leases this worker holds (a crashed worker's expire)."""
        with contextlib.suppress(Exception):
            await self._release()
