"""Which lane a batch of the progress topic goes to, and how the lanes of a key are added
up (core/adapters/lanes.py)."""

from __future__ import annotations

from dataclasses import dataclass

from aiokafka import TopicPartition

from monitoring.core.adapters.lanes import LANE_OF, laned, naming, summed
from monitoring.core.domain.ownership import Held
from monitoring.core.entrypoints.progress_consumer import held_of


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
