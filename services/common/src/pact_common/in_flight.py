"""A batch stored while the consumer reads the next one, so that Python and MongoDB work at
the same time: reading batch k+1 off the topic (decoding, the contract's validation, the
content hash) runs in the turns batch k's transaction spends waiting on MongoDB, and batch
k+1's transaction begins only once batch k's has committed, so every batch still sees the
effect of every batch before it; unless the two write apart (their keys do not meet), when
batch k+1 is stored beside batch k (`InFlight`).

Offsets stay committed only after the effect. A batch, once stored, commits the offsets that
follow its own records, partition by partition; batches are stored one after another, and
each commit waits for the one before (and the outcome of the batch before), so the commits
come in order. The next batch's
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
from dataclasses import dataclass
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


@dataclass(eq=False)
class _Batch:
    task: asyncio.Task[bool]
    first: Offsets  # where it began, partition by partition
    keys: frozenset[str] | None  # what it writes (None: it is stored alone)
    slot: int


class InFlight:
    """At most one batch being stored, or two whose `keys` do not meet; `hand` the next one
    once it is read.

    Two batches stored at once (`beside`) are two transactions that write apart (their keys,
    the commitments they touch, do not meet; and each adds its sums to a lane of its own,
    its `slot`), so that one batch's Python runs while the other waits on MongoDB. The
    offsets of the later one are committed only after the earlier one's, and not at all if
    the earlier one failed: it rewinds to its first records, and the later one is then read
    again with it (its receipts are found). A failure rewinds to the earliest first record
    of every batch in flight that failed, never past one."""

    def __init__(self, log: Any = None, beside: bool = True) -> None:
        self._log = log if log is not None else structlog.get_logger("in_flight")
        self._beside = beside
        self._batches: list[_Batch] = []  # in the order they were read
        # per partition, where a failed batch began, or where a batch read past one was
        # rewound to: what is read there next must begin at or before it
        self._failed: Offsets = {}
        self._committed: Offsets = {}  # the highest offsets this consumer committed
        self._commit: asyncio.Task[None] | None = None  # the last commit asked for
        self._closing = False

    def busy(self) -> bool:
        """A batch is being stored."""
        return any(not b.task.done() for b in self._batches)

    async def hand(
        self,
        consumer: Consumer,
        records: Iterable[Record],
        store: Callable[[int], Awaitable[object]],
        keys: frozenset[str] | None = None,
    ) -> bool:
        """Wait for the batch in flight (unless this one is stored beside it: both `keys`
        given and apart, and only one in flight), then start storing this one
        (`store(slot)`), and commit its offsets once stored. False, storing nothing, if a
        batch before failed and this one was read past it in a partition: they are then read
        again. Once closing, the batch is stored before `hand` returns."""
        records = list(records)
        first = first_offsets(records)
        while len(self._batches) > 1 or (self._batches and not self._apart(keys)):
            await asyncio.wait({self._batches[0].task})  # a failure is an answer, not ours
            self._settled()
        if any(o > self._failed.get(tp, o) for tp, o in first.items()):
            # read past a failure: each partition from the earliest record of either (a
            # batch cancelled at closing rewound nothing itself), and what is read next
            # must begin there
            self.rewind(
                consumer,
                {tp: min(o, self._failed.get(tp, o)) for tp, o in first.items()}
                | {tp: o for tp, o in self._failed.items() if tp not in first},
            )
            self._failed = _earliest(self._failed, first)
            return False
        for tp in first:  # read again from where it failed (or never failed there)
            self._failed.pop(tp, None)
        before = self._batches[0] if self._batches else None
        slot = 1 - before.slot if before is not None else 0
        run = self._run(consumer, records, store, slot, before)
        if self._closing:
            return await run
        self._batches.append(_Batch(asyncio.create_task(run), first, keys, slot))
        return True

    def _apart(self, keys: frozenset[str] | None) -> bool:
        """Whether a batch of `keys` may be stored beside the one in flight."""
        now = self._batches[0]
        return (
            self._beside
            and not self._closing
            and not now.task.done()
            and keys is not None
            and now.keys is not None
            and keys.isdisjoint(now.keys)
        )

    def _settled(self) -> None:
        """Forget the batches done, from the first; remember where the failed ones began."""
        while self._batches and self._batches[0].task.done():
            done = self._batches.pop(0)
            if not _stored(done.task):
                self._failed = _earliest(self._failed, done.first)

    def rewind(self, consumer: Consumer, offsets: Offsets) -> None:
        """Read these partitions again from these offsets (as a nack does); a partition no
        longer assigned is left to its new owner, who reads from the committed offset."""
        for tp, offset in offsets.items():
            try:
                consumer.seek(tp, offset)
            except IllegalStateError:
                self._log.info("partition no longer assigned; not rewound", partition=str(tp))

    async def _run(
        self,
        consumer: Consumer,
        records: list[Record],
        store: Callable[[int], Awaitable[object]],
        slot: int,
        before: _Batch | None,
    ) -> bool:
        try:
            await store(slot)
        except Exception:  # noqa: BLE001 - as a nack: read again from each partition's first
            self._log.exception("batch not stored; it will be read again", records=len(records))
            failed = first_offsets(records)
            if before is not None and not await _outcome(before):
                # never past the batch before it, which failed too: its rewind may come first
                failed = _earliest(failed, before.first)
            self.rewind(consumer, failed)
            return False
        if not await _outcome(before):  # read again from where it began, with this one
            return True
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
        """Closing: wait (at most `seconds`) for the batches in flight; a batch handed from
        now on is stored before `hand` returns. One not stored in time is given up
        (cancelled: its transaction is not committed, nor are its offsets), and the next
        batch handed, if any, rewinds to it."""
        self._closing = True
        if tasks := {b.task for b in self._batches}:
            _, pending = await asyncio.wait(tasks, timeout=seconds)
            if pending:
                self._log.warning("closing with a batch not stored; it will be read again")
                for task in pending:
                    task.cancel()
                await asyncio.wait(pending)
        if (commit := self._commit) is not None:  # the stored batches' offsets
            await asyncio.wait({commit}, timeout=seconds)


async def _outcome(batch: _Batch | None) -> bool:
    """Whether the batch before (if any) was stored, once it is done."""
    if batch is None:
        return True
    await asyncio.wait({batch.task})
    return _stored(batch.task)


def _earliest(a: Offsets, b: Offsets) -> Offsets:
    return {tp: min(o, b.get(tp, o)) for tp, o in a.items()} | {
        tp: o for tp, o in b.items() if tp not in a
    }


def _stored(task: asyncio.Task[bool]) -> bool:
    return not task.cancelled() and task.exception() is None and task.result()
