"""Long loops on the event loop give way: a batch of a thousand reports is several hundred
milliseconds of Python between two round trips to MongoDB, and while it runs nothing else in
the process does (`/health`, an HTTP request, a Kafka heartbeat). `paced` hands the loop back
every few milliseconds, so a request waits at most that long for its turn.

The garbage collector is the other thing that holds the loop: a full collection walks every
object the process holds (a batch in flight is a hundred thousand of them), 90 to 150 ms
each on a 2-core machine, about every second and a half while monitoring ingests. Once
started, a service moves what start-up made (modules, classes, schemas: never garbage) out
of the collector's sight and collects less often (`settle_heap`); and a batch runs with the
collector paused (`collecting_after`): what it reads and builds dies with it, freed by
reference counts, so the next collection walks only what outlived the batch instead of the
batch's working set, once per young collection and again per middle one."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TypeVar

from .background import BackgroundTask
from .metrics import LOOP_LAG

T = TypeVar("T")

#: the longest stretch, in seconds, a paced loop runs without giving way
TURN = 0.005
#: the collector's thresholds once started: a young collection after this many allocations
#: net of frees (700 by default); the middle generation after fifty of those (ten by
#: default): what a batch holds while it works (a thousand heads read) outlives a young
#: collection or two and is freed when the batch ends, and a middle collection every ten
#: walked it again (a batch of 500 ten-year heads: 11.7 ms of middle collections a batch,
#: now 2.4; the longest pause 32 ms, now 16); the oldest after ten of the middle one's
GC_THRESHOLDS = (20_000, 50, 10)


async def paced(items: Iterable[T], turn: float = TURN) -> AsyncIterator[T]:
    """The items, giving the event loop a turn every `turn` seconds of the caller's work."""
    since = time.perf_counter()
    for item in items:
        yield item
        if time.perf_counter() - since >= turn:
            await asyncio.sleep(0)
            since = time.perf_counter()


def settle_heap() -> None:
    """Once started: collect what start-up left, freeze what remains (gc.freeze: never
    looked at again by a collection) and collect less often (GC_THRESHOLDS)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


class _Pause:
    """Who holds the collector paused, and whether it ran before the first of them."""

    holders = 0
    resume = False


@contextlib.contextmanager
def collecting_after() -> Iterator[None]:
    """No automatic collection while the block runs (a batch: bounded, and awaited by its
    consumer); the collector resumes when the last of the blocks that overlap on the loop
    ends, if it was on when the first began. A ten-year commitment's batch of 500 spent 24
    ms in young collections walking the heads it had read; the batch, 10 to 15% less."""
    if _Pause.holders == 0:
        _Pause.resume = gc.isenabled()
        gc.disable()
    _Pause.holders += 1
    try:
        yield
    finally:
        _Pause.holders -= 1
        if _Pause.holders == 0 and _Pause.resume:
            gc.enable()


class LoopLag(BackgroundTask):
    """Sleeps `every` seconds again and again and records how late it woke
    (pact_event_loop_lag_seconds): the loop's responsiveness as a request sees it."""

    def __init__(self, service: str, every: float = 0.1) -> None:
        super().__init__(f"{service}-loop-lag")
        self._lag = LOOP_LAG.labels(service)
        self._every = every

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self.stopping:
            asked = loop.time()
            await asyncio.sleep(self._every)
            self._lag.observe(max(0.0, loop.time() - asked - self._every))
