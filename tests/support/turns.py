"""How many turns the event loop gave another task while something ran: a ticker task that
counts each turn it gets."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass


@dataclass
class Ticks:
    count: int = 0


@contextlib.asynccontextmanager
async def ticker() -> AsyncIterator[Ticks]:
    """Counts the turns a task gets from the time it has started until the block ends."""
    ticks, done = Ticks(), asyncio.Event()

    async def tick() -> None:
        while not done.is_set():
            ticks.count += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(tick())
    await asyncio.sleep(0)  # the ticker starts
    ticks.count = 0
    try:
        yield ticks
    finally:
        done.set()
        await task
