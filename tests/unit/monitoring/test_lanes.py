"""Which lane a batch of the progress topic goes to, what an instance holds of the topic,
and how the lanes of a key are added up (core/adapters/lanes.py)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from aiokafka import TopicPartition
from aiokafka.partitioner import DefaultPartitioner

from monitoring.config import Settings
from monitoring.core.adapters.lanes import LANE_OF, laned, naming, summed
from monitoring.core.domain.commands import TakeReports
from monitoring.core.domain.intake import Taken
from monitoring.core.domain.ownership import EVERYTHING, Held
from monitoring.core.entrypoints.progress_consumer import ProgressConsumer, held_of
from monitoring.core.entrypoints.targets import OwnedTargets
from pact_common.kafka import key_hash

SETTINGS = Settings(environment="test")


async def nothing(cmd: TakeReports) -> Counter[Taken]:
    return Counter()


@dataclass
class Rec:
    topic: str
    partition: int


class Holding:
    def __init__(self, *held: TopicPartition) -> None:
        self.held = set(held)

    def assignment(self) -> set[TopicPartition]:
        return self.held

    def partitions_for_topic(self, topic: str) -> set[int]:
        return set(range(4))


def test_a_batch_goes_to_the_lowest_partition_its_instance_holds() -> None:
    consumer = Holding(TopicPartition("progress", 3), TopicPartition("progress", 1),
                       TopicPartition("other", 0))  # fmt: skip
    records = [Rec("progress", 3), Rec("progress", 3)]
    held = held_of(consumer, records)  # type: ignore[arg-type]
    assert (held, held.lane, held.everything) == (Held(frozenset({1, 3}), 4), 1, False)
    alone = held_of(object(), records)  # type: ignore[arg-type]
    assert (alone.lane, alone.everything) == (3, True)


def test_a_target_is_owned_by_one_of_the_instances_holding_the_topic() -> None:
    ids = [f"t-{n}" for n in range(200)]
    halves = Held(frozenset({0, 1}), 4), Held(frozenset({2, 3}), 4)
    owners = [[h for h in halves if h.owns(i)] for i in ids]
    print("targets owned by the first half:", sum(o == [halves[0]] for o in owners))
    assert all(len(o) == 1 for o in owners)
    assert 60 < sum(o == [halves[0]] for o in owners) < 140
    assert all(Held(frozenset(range(4)), 4).owns(i) and Held().owns(i) for i in ids)


def test_lanes_add_up_their_counts_and_keep_what_names_them() -> None:
    assert (laned("country:DE", 0), naming("country:DE", 0)) == ("country:DE", {})
    assert (laned("country:DE", 2), naming("country:DE", 2)) == (
        "country:DE#2",
        {LANE_OF: "country:DE"},
    )
    docs = [
        {"_id": "p|DE|2026", "scope": "DE", "year": 2026, "entries": 2, "people": 10},
        {"_id": "p|FR|2026", "scope": "FR", "year": 2026, "entries": 1, "people": 4},
        {"_id": "p|DE|2026#3", LANE_OF: "p|DE|2026", "scope": "DE", "year": 2026,
         "entries": 1, "people": 5, "placed": 1},
        {"_id": "p|FR|2026#3", LANE_OF: "p|FR|2026", "scope": "FR", "year": 2026,
         "entries": -1, "people": -4},
    ]  # fmt: skip
    got = summed(docs, gone=lambda d: not d["entries"])
    print(got)
    assert got == [
        {"_id": "p|DE|2026", "scope": "DE", "year": 2026, "entries": 3, "people": 15, "placed": 1}
    ]


def test_what_an_instance_holds_now_follows_its_consumers_assignment() -> None:
    """The sweep asks what the instance holds now: a rebalance changes it with no batch."""
    progress = ProgressConsumer(name="progress", settings=SETTINGS, take=nothing)
    assert progress.held_now() == EVERYTHING  # no batch yet: every commitment is its own
    consumer = Holding(TopicPartition("progress", 2), TopicPartition("progress", 3))
    progress.consumer, progress.topic = consumer, "progress"  # as its last batch left them
    progress.held = Held(frozenset({2, 3}), 4)
    consumer.held |= {TopicPartition("progress", 0), TopicPartition("progress", 1)}  # alone
    assert progress.held_now() == Held(frozenset({0, 1, 2, 3}), 4)
    consumer.held.clear()  # in a rebalance
    assert progress.held_now() == Held(frozenset(), 4) and not progress.held_now().holds(7)


def test_the_hash_kept_is_the_partition_kafkas_default_partitioner_picks() -> None:
    """Java's murmur2 of these keys (Kafka's own test vectors), made positive as its
    partitioner does; then the partition aiokafka's producer picks, for any count."""
    java = {"21": -973932308, "foobar": -790332482, "a-little-bit-long-string": -985981536,
            "a-little-bit-longer-string": -1486304829, "abc": 479470107,
            "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971}  # fmt: skip
    for key, value in java.items():
        assert key_hash(key) == value & 0x7FFFFFFF, key
    for count in (1, 2, 3, 4, 12, 48):
        every = list(range(count))
        for key in (*java, "p-acme", "Société Générale", ""):
            assert key_hash(key) % count == DefaultPartitioner()(key.encode(), every, every)


async def test_the_targets_evaluated_every_second_are_those_the_instance_owns_now() -> None:
    """An instance alone, then joined by another, owns fewer targets before its next batch:
    the other's batches move their sums, so it evaluates its own again every second."""
    progress = ProgressConsumer(name="progress", settings=SETTINGS, take=nothing)
    consumer = Holding(*(TopicPartition("progress", n) for n in range(4)))
    progress.consumer, progress.topic = consumer, "progress"
    progress.held = Held(frozenset(range(4)), 4)  # its last batch: alone
    asked: list[Held] = []

    async def settle(held: Held) -> int:
        asked.append(held)
        return 1

    owned = OwnedTargets(progress, settle, 1.0)
    assert await owned.run_once() is None and asked == []  # alone: its batches do it
    consumer.held = {TopicPartition("progress", 0), TopicPartition("progress", 1)}  # joined
    assert await owned.run_once() == 1
    assert asked == [Held(frozenset({0, 1}), 4)]
