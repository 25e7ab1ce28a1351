"""A batch stored while the next is read (pact_common.in_flight): the next batch's store starts
only once the one before is stored, each batch commits the offsets after its own records
once stored and not before (in order, without the next batch waiting for the broker's
answer), and a batch that fails is read again together with the one read meanwhile, which is
not stored."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from aiokafka import TopicPartition
from aiokafka.errors import IllegalStateError

from pact_common.in_flight import InFlight, first_offsets, next_offsets


@dataclass
class Rec:
    topic: str
    partition: int
    offset: int


@dataclass
class FakeConsumer:
    """Records what an AIOKafkaConsumer was asked: commits and seeks, in order."""

    calls: list[tuple[str, dict[TopicPartition, int]]] = field(default_factory=list)
    commit_fails: bool = False
    unassigned: set[TopicPartition] = field(default_factory=set)
    broker_answers: asyncio.Event | None = None

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        if self.broker_answers is not None:  # the broker takes its time
            await self.broker_answers.wait()
        if self.commit_fails:
            raise RuntimeError("the group rebalanced")
        self.calls.append(("commit", dict(offsets)))

    def seek(self, partition: TopicPartition, offset: int) -> None:
        if partition in self.unassigned:
            raise IllegalStateError(f"no current assignment for partition {partition}")
        self.calls.append(("seek", {partition: offset}))

    def seeks(self) -> dict[TopicPartition, int]:
        """Where each partition is read from next (the last seek of each wins)."""
        where: dict[TopicPartition, int] = {}
        for call, offsets in self.calls:
            assert call == "seek", self.calls
            where.update(offsets)
        return where


A, B, C = TopicPartition("t", 0), TopicPartition("t", 1), TopicPartition("t", 2)


def batch(*where: tuple[int, int]) -> list[Rec]:
    return [Rec("t", p, o) for p, o in where]


def test_first_and_next_offsets_per_partition() -> None:
    records = batch((0, 7), (1, 3), (0, 5), (1, 4), (0, 6))
    assert first_offsets(records) == {A: 5, B: 3}
    assert next_offsets(records) == {A: 8, B: 5}


async def test_the_next_batch_is_read_while_one_is_stored_and_stored_after_it() -> None:
    consumer, in_flight, log = FakeConsumer(), InFlight(), []
    release = asyncio.Event()

    def store(name: str, wait: bool = False):
        async def run() -> None:
            log.append(f"{name} begins")
            if wait:
                await release.wait()
            log.append(f"{name} stored")

        return run

    assert not in_flight.busy()
    assert await in_flight.hand(consumer, batch((0, 0), (0, 1)), store("k", wait=True))
    await asyncio.sleep(0)
    assert log == ["k begins"]
    assert in_flight.busy()  # what the service's reads keep their share by
    assert consumer.calls == []  # nothing committed before the effect
    log.append("k+1 read")  # the next batch is read meanwhile
    handing = asyncio.create_task(in_flight.hand(consumer, batch((0, 2)), store("k+1")))
    await asyncio.sleep(0.01)
    assert log == ["k begins", "k+1 read"]  # k+1 waits for k
    release.set()
    assert await handing
    await in_flight.drain()
    print("order:", log, "calls:", consumer.calls)
    assert not in_flight.busy()
    assert log == ["k begins", "k+1 read", "k stored", "k+1 begins", "k+1 stored"]
    assert consumer.calls == [("commit", {A: 2}), ("commit", {A: 3})]


async def test_the_next_batch_is_stored_while_the_offsets_before_are_committed_in_order() -> None:
    consumer = FakeConsumer(broker_answers=asyncio.Event())
    in_flight, log = InFlight(), []

    def store(name: str):
        async def run() -> None:
            log.append(f"{name} stored")

        return run

    for k, name in enumerate(("k", "k+1", "k+2")):
        # (waiting for the commit, this would wait for ever: the broker has not answered)
        assert await asyncio.wait_for(in_flight.hand(consumer, batch((0, k)), store(name)), 1)
    await asyncio.sleep(0.01)
    print("stored:", log, "commits while the broker has not answered:", consumer.calls)
    assert log == ["k stored", "k+1 stored", "k+2 stored"]  # none waited for a commit
    assert consumer.calls == []
    consumer.broker_answers.set()
    await in_flight.drain()
    assert consumer.calls == [("commit", {A: 1}), ("commit", {A: 2}), ("commit", {A: 3})]


async def fails() -> None:
    raise ConnectionError("mongod went away")


async def test_a_failed_batch_and_the_one_read_meanwhile_are_both_read_again() -> None:
    consumer, in_flight, stored = FakeConsumer(), InFlight(), []

    async def succeeds() -> None:
        stored.append("k+1")

    assert await in_flight.hand(consumer, batch((0, 10), (0, 11), (1, 4)), fails)
    taken = await in_flight.hand(consumer, batch((0, 12), (1, 5), (2, 0)), succeeds)
    print("taken:", taken, "stored:", stored, "read from:", consumer.seeks())
    assert taken is False and stored == []
    assert consumer.seeks() == {A: 10, B: 4, C: 0}  # and no commit at all (seeks())


async def test_a_failed_batch_rewinds_itself_when_nothing_follows_and_is_stored_when_read() -> None:
    consumer, in_flight, stored = FakeConsumer(), InFlight(), []

    async def succeeds() -> None:
        stored.append("again")

    assert await in_flight.hand(consumer, batch((0, 10), (1, 4)), fails)
    await asyncio.sleep(0.01)  # the topic is idle: no batch comes to find the failure
    assert consumer.seeks() == {A: 10, B: 4}
    # what the consumer reads next, from where the failed batch began, is stored
    assert await in_flight.hand(consumer, batch((0, 10), (0, 11)), succeeds)
    await in_flight.drain()
    assert stored == ["again"]
    assert consumer.calls[-1] == ("commit", {A: 12})


async def test_a_partition_no_longer_assigned_is_left_to_its_new_owner() -> None:
    consumer, in_flight = FakeConsumer(unassigned={B}), InFlight()
    assert await in_flight.hand(consumer, batch((0, 3), (1, 8)), fails)
    await in_flight.drain()
    assert consumer.seeks() == {A: 3}


async def test_a_commit_that_fails_leaves_the_batch_stored_and_the_next_one_goes_on() -> None:
    consumer, in_flight, stored = FakeConsumer(commit_fails=True), InFlight(), []

    async def store() -> None:
        stored.append(len(stored))

    assert await in_flight.hand(consumer, batch((0, 0)), store)
    assert await in_flight.hand(consumer, batch((0, 1)), store)
    await in_flight.drain()
    assert stored == [0, 1]
    assert consumer.calls == []


async def test_offsets_committed_never_go_back() -> None:
    consumer, in_flight = FakeConsumer(), InFlight()

    async def store() -> None:
        return None

    assert await in_flight.hand(consumer, batch((0, 5), (0, 6), (1, 2)), store)
    # read again after a rebalance, and ending before the offsets already committed
    assert await in_flight.hand(consumer, batch((0, 5), (1, 2), (1, 3)), store)
    await in_flight.drain()
    assert consumer.calls == [("commit", {A: 7, B: 3}), ("commit", {B: 4})]


async def test_closing_waits_for_the_batch_in_flight_and_the_next_one_comes_after_it() -> None:
    consumer, in_flight, log = FakeConsumer(), InFlight(), []
    release = asyncio.Event()

    async def first() -> None:
        await release.wait()
        log.append("k stored")

    async def second() -> None:
        log.append("k+1 stored")

    assert await in_flight.hand(consumer, batch((0, 0)), first)
    draining = asyncio.create_task(in_flight.drain())
    handing = asyncio.create_task(in_flight.hand(consumer, batch((0, 1)), second))
    await asyncio.sleep(0.01)
    assert log == [] and not draining.done() and not handing.done()
    release.set()
    await asyncio.wait_for(asyncio.gather(draining, handing), timeout=5)
    assert log == ["k stored", "k+1 stored"]
    assert consumer.calls == [("commit", {A: 1}), ("commit", {A: 2})]


async def test_a_batch_not_stored_in_time_at_closing_is_given_up_and_read_again() -> None:
    consumer, in_flight, stored, cancelled = FakeConsumer(), InFlight(), [], []

    async def stuck() -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    async def succeeds() -> None:
        stored.append("k+1")

    assert await in_flight.hand(consumer, batch((0, 0), (1, 7)), stuck)
    await asyncio.wait_for(in_flight.drain(seconds=0.05), timeout=5)
    assert cancelled == [True] and consumer.calls == []  # its transaction not committed
    # the batch read meanwhile is not stored: both are read again, B from the stuck batch
    taken = await asyncio.wait_for(in_flight.hand(consumer, batch((0, 1)), succeeds), timeout=5)
    assert taken is False and stored == []
    assert consumer.seeks() == {A: 0, B: 7}
