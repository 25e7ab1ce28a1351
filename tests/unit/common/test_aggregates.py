from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pact_common.aggregates import EventCollectingUnitOfWork, SeenAggregates


@dataclass
class Thing:
    id: str
    events: list[str] = field(default_factory=list)


class Things(SeenAggregates[Thing]):
    def __init__(self) -> None:
        super().__init__()
        self.stored: list[Thing] = []

    async def _add(self, thing: Thing) -> None:
        self.stored.append(thing)

    def load(self, *things: Thing | None) -> None:
        self._saw(*things)


class Work(EventCollectingUnitOfWork):
    def __init__(self) -> None:
        self.things = Things()

    def _repositories(self) -> Iterable[SeenAggregates[Any]]:
        return (self.things,)

    async def commit(self) -> None:
        return None


async def test_events_of_every_seen_aggregate_are_collected_once_in_order() -> None:
    a, b = Thing("a", ["a1", "a2"]), Thing("b", ["b1"])
    async with Work() as uow:
        await uow.things.add(a)
        uow.things.load(b, None)
        assert uow.things.stored == [a]
        assert uow.collect_new_events() == [("a1", a), ("a2", a), ("b1", b)]
        assert uow.collect_new_events() == []
        assert a.events == b.events == []
