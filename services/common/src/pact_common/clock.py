"""Time, injectable: real time by default; a time-lapse clock for demos, where deadlines
must pass while people watch (one real second can be a simulated day)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class TimeLapse:
    """Time that began to run `speed` times faster at the real moment `start`. Anchored to
    the wall clock, so every process given the same start and speed tells the same time."""

    def __init__(self, start: datetime, speed: float, real: Clock = utc_now) -> None:
        self.start = start.astimezone(UTC)
        self.speed = speed
        self._real = real

    def __call__(self) -> datetime:
        return self.start + (self._real() - self.start) * self.speed
