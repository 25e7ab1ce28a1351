"""The clock-driven side: deadlines and due dates pass with no event at all, so the rules
also run every `interval` seconds (each subject at most once a day; the clock is injected)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from monitoring.core.service_layer.handlers import Swept
from pact_common.background import BackgroundTask

#: bounds one round, should a step never report done
MAX_STEPS = 10_000


class Sweeper(BackgroundTask):
    def __init__(
        self, step: Callable[[], Awaitable[Swept]], interval: float, logger: Any = None
    ) -> None:
        super().__init__("monitoring-sweep")
        self._step = step
        self._interval = interval
        self._log = logger

    async def run_once(self) -> Swept:
        """Steps until nothing is left to do; returns the totals."""
        total = Swept()
        for _ in range(MAX_STEPS):
            swept = await self._step()
            if swept.done:
                break
            total.expired += swept.expired
            total.commitments += swept.commitments
            total.targets += swept.targets
        return total

    async def run(self) -> None:
        while not self.stopping:
            # The first round waits one interval, so that consumers catch up after a restart.
            await asyncio.sleep(self._interval)
            try:
                swept = await self.run_once()
            except Exception as exc:  # noqa: BLE001 - the sweep must outlive db outages
                if self._log is not None:
                    self._log.warning("sweep failed; retrying", error=str(exc))
                continue
            if self._log is not None and not swept.done:
                self._log.info(
                    "swept",
                    expired=swept.expired,
                    commitments=swept.commitments,
                    targets=swept.targets,
                )
