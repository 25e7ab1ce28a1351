"""A batch stored while the consumer reads the next one, so that Python and MongoDB work at
the same time: reading batch k+1 off the topic (decoding, the contract's validation, the
content hash) runs in the turns batch k's transaction spends waiting on MongoDB, and batch
k+1's transaction begins only once batch k's has committed, so every batch still sees the
effect of every batch before it.

Offsets stay committed only after the effect. A batch, once stored, commits the offsets that
follow its own records, partition by partition; batches are stored one after another, and
each commit waits for the one before, so the commits come in order. The next batch's
transaction does not wait for the commit (a round trip to the broker, 1 to 2 ms a batch):
the commit's effect is only where a consumer starts reading after a restart or a rebalance,
and a record read again then is found by its receipt. A batch whose effect fails rewinds its
partitions to its first records (as a nack does); the batch read meanwhile is dropped and
rewound too, so both are read again. A commit that fails (a rebalance gave the partition to
another consumer, or the broker did not answer) is logged and left: the effect is stored,
and whoever reads those records again finds their receipts."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol

import structlog
from aiokafka import TopicPartition
from aiokafka.errors import IllegalStateError

from .consuming import Record

Offsets = dict[TopicPartition, int]


class Consumer(Protocol):
    """What of an AIOKafkaConsumer a batch in flight uses."""

    async def commit(self, offsets: Offsets) -> None: ...

    def seek(self, partition: TopicPartition, offset: int) -> None: ...


def first_offsets(records: Iterable[Record]) -> Offsets:
    """Each partition's first record among `records`: where to read again from."""
    first: Offsets = {}
    for r in records:
        tp = TopicPartition(r.topic, r.partition)
        if tp not in first or r.offset < first[tp]:
            first[tp] = r.offset
    return first


def next_offsets(records: Iterable[Record]) -> Offsets:
    """Each partition's offset after its last record among `records`: what to commit."""
    following: Offsets = {}
    for r in records:
        tp = TopicPartition(r.topic, r.partition)
        following[tp] = max(following.get(tp, 0), r.offset + 1)
    return following


class InFlight:
    """At most one batch being stored; `hand` the next one once it is read."""

    def __init__(self, log: Any = None) -> None:
        self._log = log if log is not None else structlog.get_logger("in_flight")
        self._task: asyncio.Task[bool] | None = None
        self._first: Offsets = {}  # where the batch in flight began
        self._committed: Offsets = {}  # the highest offsets this consumer committed
        self._commit: asyncio.Task[None] | None = None  # the last commit asked for
        self._closing = False

    def busy(self) -> bool:
        """A batch is being stored."""
        return self._task is not None and not self._task.done()

    def failed(self) -> bool:
        """The batch in flight ended without being stored (it rewound its partitions)."""
        return self._task is not None and self._task.done() and not _stored(self._task)

    async def wait(self, seconds: float | None = None) -> bool | None:
        """Wait for the batch in flight, if any, at most `seconds`: None if it is still being
        stored then, False if it was not stored (the next `hand` then rewinds), True if it
        was or none was in flight. Meanwhile the consumer may add what it fetched to the
        batch it read early, so that this one takes what came while the other was stored."""
        if (before := self._task) is None:
            return True
        await asyncio.wait({before}, timeout=seconds)
        return _stored(before) if before.done() else None

    async def hand(
        self,
        consumer: Consumer,
        records: Iterable[Record],
        store: Callable[[], Awaitable[object]],
    ) -> bool:
        """Wait for the batch in flight, then start storing this one (`store`), and commit its
        offsets once stored. False, storing nothing, if the batch before failed and this one
        was read past it: both are then read again. Once closing, the batch is stored before
        `hand` returns."""
        records = list(records)
        first = first_offsets(records)
        if (before := self._task) is not None:
            await asyncio.wait({before})  # its failure is an answer, not an error of ours
            failed_from, self._task, self._first = self._first, None, {}
            if not _stored(before) and not _read_again(first, failed_from):
                # each partition of either from its earliest record (a batch cancelled at
                # closing rewound nothing itself)
                earliest = {tp: min(o, first.get(tp, o)) for tp, o in failed_from.items()}
                self.rewind(consumer, first | earliest)
                return False
        run = self._run(consumer, records, store)
        if self._closing:
            return await run
        self._task, self._first = asyncio.create_task(run), first
        return True

    def rewind(self, consumer: Consumer, offsets: Offsets) -> None:
        """Read these partitions again from these offsets (as a nack does); a partition no
        longer assigned is left to its new owner, who reads from the committed offset."""
        for tp, offset in offsets.items():
            try:
                consumer.seek(tp, offset)
            except IllegalStateError:
                self._log.info("partition no longer assigned; not rewound", partition=str(tp))

    async def _run(
        self, consumer: Consumer, records: list[Record], store: Callable[[], Awaitable[object]]
    ) -> bool:
        try:
            await store()
        except Exception:  # noqa: BLE001 - as a nack: read again from each partition's first
            self._log.exception("batch not stored; it will be read again", records=len(records))
            self.rewind(consumer, first_offsets(records))
            return False
        # never back: a batch read again after a rebalance may end before one committed
        ahead = {
            tp: o for tp, o in next_offsets(records).items() if o > self._committed.get(tp, -1)
        }
        if ahead:
            self._committed.update(ahead)
            self._commit = asyncio.create_task(
                self._commit_after(self._commit, consumer, ahead, len(records))
            )
            if self._closing:  # the consumer stops next: its offsets first
                await asyncio.wait({self._commit})
        return True

    async def _commit_after(
        self, before: asyncio.Task[None] | None, consumer: Consumer, offsets: Offsets, n: int
    ) -> None:
        if before is not None:
            await asyncio.wait({before})  # in order; its failure was logged by itself
        try:
            await consumer.commit(offsets)
        except Exception as error:  # noqa: BLE001 - stored: read again, its receipts are found
            self._log.warning("offsets not committed", error=repr(error), records=n)

    async def drain(self, seconds: float = 10.0) -> None:
        """Closing: wait (at most `seconds`) for the batch in flight; a batch handed from now
        on is stored before `hand` returns. One not stored in time is given up (cancelled:
        its transaction is not committed, nor are its offsets), and the next batch handed,
        if any, rewinds to it."""
        self._closing = True
        if (task := self._task) is not None:
            _, pending = await asyncio.wait({task}, timeout=seconds)
            if pending:
                self._log.warning("closing with a batch not stored; it will be read again")
                task.cancel()
                await asyncio.wait({task})
        if (commit := self._commit) is not None:  # the stored batches' offsets
            await asyncio.wait({commit}, timeout=seconds)


def _stored(task: asyncio.Task[bool]) -> bool:
    return not task.cancelled() and task.exception() is None and task.result()


def _read_again(first: Offsets, failed_from: Offsets) -> bool:
    """Whether a batch begins, in each of its partitions, at or before where the failed batch
    began there: read again after the failed batch rewound, so nothing before it is skipped."""
    return all(tp in failed_from and o <= failed_from[tp] for tp, o in first.items())
