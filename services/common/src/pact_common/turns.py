"""Long loops on the event loop give way: a batch of a thousand reports is several hundred
milliseconds of Python between two round trips to MongoDB, and while it runs nothing else in
the process does (`/health`, an HTTP request, a Kafka heartbeat). `paced` hands the loop back
every few milliseconds, so a request waits at most that long for its turn."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterable
from typing import TypeVar

T = TypeVar("T")

#: the longest stretch, in seconds, a paced loop runs without giving way
TURN = 0.005


async def paced(items: Iterable[T], turn: float = TURN) -> AsyncIterator[T]:
    """The items, giving the event loop a turn every `turn` seconds of the caller's work."""
    since = time.perf_counter()
    for item in items:
        yield item
        if time.perf_counter() - since >= turn:
            await asyncio.sleep(0)
            since = time.perf_counter()
