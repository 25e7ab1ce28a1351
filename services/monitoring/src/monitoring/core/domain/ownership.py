"""What an instance of a consumer group holds of the progress topic, and so what it owns
(docs/scaling.md). Pure."""

from __future__ import annotations

import zlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Held:
    """The partitions of the progress topic an instance held when it took a batch, of how
    many the topic has. Its sums go to its lane, the lowest partition it holds
    (adapters/lanes.py). A partnership target belongs to the holder of the partition its
    id hashes to: after a batch only that instance evaluates it, and it evaluates what it
    owns again every second, since every instance's batches move the sums. A commitment
    belongs to the holder of its partner's partition (`holds`), the one that takes its
    reports: only that instance sweeps it. `EVERYTHING` (the default): one instance, or a
    unit of work that did not come from the topic."""

    partitions: frozenset[int] = frozenset()
    count: int = 0

    @property
    def lane(self) -> int:
        return min(self.partitions, default=0)

    @property
    def everything(self) -> bool:
        return self.count == 0 or len(self.partitions) >= self.count

    def holds(self, key_hash: int) -> bool:
        """Whether the partition of a key of this hash (pact_common.kafka.key_hash) is held:
        the reports of a commitment are keyed by its partner."""
        return self.everything or key_hash % self.count in self.partitions

    def owns(self, target_id: str) -> bool:
        if self.everything:
            return True
        return zlib.crc32(target_id.encode("utf-8")) % self.count in self.partitions


EVERYTHING = Held()
