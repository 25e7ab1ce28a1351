"""The clock-driven side: deadlines and due dates pass with no event at all, so the rules
also run every `interval` seconds (each subject at most once a day; the clock is injected)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from monitoring.core.service_layer.handlers import Swept
from pact_common.background import Periodic

#: bounds one round, should a step never report done
MAX_STEPS = 10_000


class Sweeper(Periodic):
    """A round every `interval` seconds; the first waits one interval, so that consumers
    catch up after a restart."""

    def __init__(
        self, step: Callable[[], Awaitable[Swept]], interval: float, logger: Any = None
    ) -> None:
        super().__init__(
            "monitoring-sweep", self._round, interval, logger, failed="sweep failed; retrying"
        )
        self._one = step

    async def _round(self) -> Swept:
        """Steps until nothing is left to do; returns the totals."""
        total = Swept()
        for _ in range(MAX_STEPS):
            swept = await self._one()
            if swept.done:
                break
            total.expired += swept.expired
            total.commitments += swept.commitments
            total.targets += swept.targets
        return total

    def _done(self, swept: Swept) -> None:
        if self._log is not None and not swept.done:
            self._log.info(
                "swept",
                expired=swept.expired,
                commitments=swept.commitments,
                targets=swept.targets,
            )
