"""The clock's sweep of held deliveries: every `interval` seconds the deliveries held for a
silence or an inhibition are looked at again, and those no longer muted are sent (if still
worth sending) or left unsent (service_layer/muting.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from pact_common.background import Periodic


class ReleaseSweeper(Periodic):
    def __init__(
        self, step: Callable[[], Awaitable[int]], interval: float, logger: Any = None
    ) -> None:
        super().__init__(
            "monitoring-muted-deliveries",
            step,
            interval,
            logger,
            failed="releasing muted deliveries failed",
        )

    def _done(self, released: int) -> None:
        if released and self._log is not None:
            with contextlib.suppress(Exception):
                self._log.info("muted deliveries released", released=released)
