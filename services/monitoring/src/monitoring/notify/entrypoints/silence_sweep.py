"""The clock's sweep of held deliveries: every `interval` seconds the deliveries held for a
silence or an inhibition are looked at again, and those no longer muted are sent (if still
worth sending) or left unsent (service_layer/muting.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from pact_common.background import BackgroundTask


class ReleaseSweeper(BackgroundTask):
    def __init__(
        self, step: Callable[[], Awaitable[int]], interval: float, logger: Any = None
    ) -> None:
        super().__init__("monitoring-muted-deliveries")
        self._step = step
        self._interval = interval
        self._log = logger

    async def run_once(self) -> int:
        return await self._step()

    async def run(self) -> None:
        while not self.stopping:
            await self.nap(self._interval)
            released = 0
            try:
                released = await self._step()
            except Exception as exc:  # noqa: BLE001 - the sweep must outlive db outages
                if self._log is not None:
                    self._log.warning("releasing muted deliveries failed", error=str(exc))
            if released and self._log is not None:
                with contextlib.suppress(Exception):
                    self._log.info("muted deliveries released", released=released)
