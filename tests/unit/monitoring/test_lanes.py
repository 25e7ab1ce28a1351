"""Which lane a batch of the progress topic goes to, and how the lanes of a key are added
up (core/adapters/lanes.py)."""

from __future__ import annotations

from dataclasses import dataclass

from aiokafka import TopicPartition

from monitoring.core.adapters.lanes import LANE_OF, laned, naming, summed
from monitoring.core.entrypoints.progress_consumer import lane_of


@dataclass
class Rec:
    topic: str
    partition: int


class Holding:
    def __init__(self, *held: TopicPartition) -> None:
        self.held = set(held)

    def assignment(self) -> set[TopicPartition]:
        return self.held


def test_a_batch_goes_to_the_lowest_partition_its_instance_holds() -> None:
    consumer = Holding(TopicPartition("progress", 3), TopicPartition("progress", 1),
                       TopicPartition("other", 0))  # fmt: skip
    records = [Rec("progress", 3), Rec("progress", 3)]
    assert lane_of(consumer, records) == 1  # type: ignore[arg-type]
    assert lane_of(object(), records) == 3  # type: ignore[arg-type]


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
