"""The partnership targets an instance owns, evaluated again every `interval` seconds while
it shares the progress topic with other instances (domain/ownership.py): their sums move
with every instance's batches, and after a batch only the owner evaluates them. Alone, an
instance evaluates every target after each batch that moves its sum, and this does nothing,
unless two of its batches were stored at once (pact_common.in_flight): each evaluated the
targets without the other's sums, so a target that only both together reach is evaluated
here, within `interval`."""

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
        """The owned targets settled, or None when the instance holds everything and its
        batches were stored one at a time."""
        held, storing = self._progress.held, self._progress.storing
        if held.everything and not storing.overlapped:
            return None
        async with storing.alone():  # not beside a batch: both would fire an alert
            storing.overlapped = False
            return await self._settle(held)

    def _done(self, result: Any) -> None:
        if result is not None and self._log is not None:
            self._log.debug("owned targets settled", targets=result)
