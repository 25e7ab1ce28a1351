"""Time, injectable: real time by default; a time-lapse clock for demos, where deadlines
must pass while people watch (one real second can be a simulated day)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class TimeLapse:
    """Starts at `start` and runs `speed` times faster than real time."""

    def __init__(self, start: datetime, speed: float) -> None:
        self.start = start.astimezone(UTC)
        self.speed = speed
        self._origin = time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self._origin) * self.speed)
