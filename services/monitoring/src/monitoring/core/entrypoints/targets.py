"""The partnership targets an instance owns, evaluated again every `interval` seconds while
it shares the progress topic with other instances (domain/ownership.py): their sums move
with every instance's batches, and after a batch only the owner evaluates them. Alone, an
instance evaluates every target after each batch that moves its sum, and this does nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from monitoring.core.domain.ownership import Held
from monitoring.core.entrypoints.progress_consumer import ProgressConsumer
from pact_common.background import Periodic


class OwnedTargets(Periodic):
    def __init__(
        self,
        progress: ProgressConsumer,
        settle: Callable[[Held], Awaitable[int]],
        interval: float,
        logger: Any = None,
    ) -> None:
        super().__init__(
            "monitoring-owned-targets",
            self._owned,
            interval,
            logger,
            failed="owned targets not settled; retrying",
        )
        self._progress = progress
        self._settle = settle

    async def _owned(self) -> int | None:
        """The owned targets settled, or None when the instance holds everything (now: an
        instance joined by another holds less before its next batch, and the other's
        batches move the sums of what it owns)."""
        held = self._progress.held_now()
        if held.everything:
            return None
        async with self._progress.storing:  # not beside a batch: both would fire an alert
            return await self._settle(held)

    def _done(self, result: Any) -> None:
        if result is not None and self._log is not None:
            self._log.debug("owned targets settled", targets=result)
