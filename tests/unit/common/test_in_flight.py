"""A batch stored while the next is read (pact_common.in_flight): the next batch's store starts
only once the one before is stored, each batch commits the offsets after its own records once
stored and not before, and a batch that fails is read again together with the one read
meanwhile, which is not stored."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from aiokafka import TopicPartition

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

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        if self.commit_fails:
            raise RuntimeError("the group rebalanced")
        self.calls.append(("commit", dict(offsets)))

    def seek(self, partition: TopicPartition, offset: int) -> None:
        self.calls.append(("seek", {partition: offset}))


A, B = TopicPartition("t", 0), TopicPartition("t", 1)


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

    assert await in_flight.hand(consumer, batch((0, 0), (0, 1)), store("k", wait=True))
    await asyncio.sleep(0)
    assert log == ["k begins"]
    assert consumer.calls == []  # nothing committed before the effect
    log.append("k+1 read")  # the next batch is read meanwhile
    handing = asyncio.create_task(in_flight.hand(consumer, batch((0, 2)), store("k+1")))
    await asyncio.sleep(0.01)
    print("order so far:", log, "calls:", consumer.calls)
    assert log == ["k begins", "k+1 read"]  # k+1 waits for k
    release.set()
    assert await handing
    await in_flight.drain()
    print("order:", log, "calls:", consumer.calls)
    assert log == ["k begins", "k+1 read", "k stored", "k+1 begins", "k+1 stored"]
    assert consumer.calls == [("commit", {A: 2}), ("commit", {A: 3})]


async def test_a_failed_batch_and_the_one_read_meanwhile_are_both_read_again() -> None:
    consumer, in_flight, stored = FakeConsumer(), InFlight(), []

    async def fails() -> None:
        raise ConnectionError("mongod went away")

    async def succeeds() -> None:
        stored.append("k+1")

    assert await in_flight.hand(consumer, batch((0, 10), (0, 11), (1, 4)), fails)
    taken = await in_flight.hand(consumer, batch((0, 12), (1, 5), (2, 0)), succeeds)
    print("taken:", taken, "stored:", stored, "calls:", consumer.calls)
    assert taken is False and stored == []
    seeks: dict[TopicPartition, int] = {}
    for call, offsets in consumer.calls:
        assert call == "seek"  # no commit at all
        seeks.update(offsets)  # the last seek of a partition is where it is read from
    assert seeks == {A: 10, B: 4, TopicPartition("t", 2): 0}


async def test_a_commit_that_fails_leaves_the_batch_stored_and_the_next_one_goes_on() -> None:
    consumer, in_flight, stored = FakeConsumer(commit_fails=True), InFlight(), []

    async def store() -> None:
        stored.append(len(stored))

    assert await in_flight.hand(consumer, batch((0, 0)), store)
    assert await in_flight.hand(consumer, batch((0, 1)), store)
    await in_flight.drain()
    assert stored == [0, 1]
    assert consumer.calls == []


async def test_once_drained_a_batch_is_stored_before_hand_returns() -> None:
    consumer, in_flight, stored = FakeConsumer(), InFlight(), []

    async def store() -> None:
        await asyncio.sleep(0.01)
        stored.append("k")

    await in_flight.drain()
    assert await in_flight.hand(consumer, batch((1, 9)), store)
    assert stored == ["k"] and consumer.calls == [("commit", {B: 10})]


async def test_drain_gives_up_a_batch_that_is_not_stored_in_time_and_commits_nothing() -> None:
    consumer, in_flight = FakeConsumer(), InFlight()

    async def stuck() -> None:
        await asyncio.sleep(60)

    assert await in_flight.hand(consumer, batch((0, 0)), stuck)
    await in_flight.drain(seconds=0.05)
    await asyncio.sleep(0)
    assert consumer.calls == []
