"""The background delivery worker: works the webhook delivery queue through its dispatcher
(due deliveries are claimed with a lease, one per receiver at a time, sent, and each outcome
stored as soon as it is known), in every service instance. What is due follows the service's
clock; a stopped worker cancels its attempts and ends its leases, a crashed one's expire."""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from monitoring.notify.service_layer.dispatch import Dispatcher
from pact_common.background import BackgroundTask

Release = Callable[[], Awaitable[None]]
#: bounds one run_once, should deliveries keep coming due
MAX_STEPS = 1_000
#: outcomes are logged at most this often while attempts keep ending
LOG_SECONDS = 5.0


class DeliveryWorker(BackgroundTask):
    def __init__(
        self, dispatcher: Dispatcher, release: Release, poll_seconds: float, logger: Any = None
    ) -> None:
        super().__init__("monitoring-webhook-deliveries")
        self.dispatcher = dispatcher
        self._release = release
        self._poll = poll_seconds
        self._log = logger

    async def run_once(self) -> Counter[str]:
        """Dispatches until nothing is due and every attempt has ended; returns the outcomes
        by status of the attempts it made. Attempts already in flight (the background loop's)
        end first and are not counted: their outcome may be stored but not yet counted."""
        await self.dispatcher.settle(None)
        before = Counter(self.dispatcher.outcomes)
        for _ in range(MAX_STEPS):
            started = await self.dispatcher.dispatch()
            if not started and not self.dispatcher.running:
                break
            await self.dispatcher.settle(None)
        return self.dispatcher.outcomes - before

    async def run(self) -> None:
        logged, at = Counter(self.dispatcher.outcomes), time.monotonic()
        while not self.stopping:
            try:
                await self.dispatcher.dispatch()
            except Exception as exc:  # noqa: BLE001 - the worker must outlive db outages
                if self._log is not None:
                    self._log.warning("webhook deliveries failed; retrying", error=str(exc))
            if self.dispatcher.running:
                await self.dispatcher.settle(self._poll)  # until one ends: a receiver is free
            else:
                await self.nap(self._poll)
            if self.dispatcher.error is not None and self._log is not None:
                error, self.dispatcher.error = self.dispatcher.error, None
                self._log.warning("a webhook attempt's outcome was not stored", error=str(error))
            new = self.dispatcher.outcomes - logged
            quiet = not self.dispatcher.running
            if new and (quiet or time.monotonic() - at >= LOG_SECONDS):
                if self._log is not None:
                    self._log.info("webhook deliveries", **new)
                logged, at = Counter(self.dispatcher.outcomes), time.monotonic()

    async def _stopped(self) -> None:
        """Cancel the attempts in flight and end the leases this worker holds (a crashed
        worker's expire)."""
        await self.dispatcher.close()
        with contextlib.suppress(Exception):
            await self._release()
