"""How a unit of work finds the domain events to publish: its repositories remember every
aggregate they hand out or take in, and on commit it collects (and clears) the events those
aggregates recorded (cosmicpython's `seen`). Pure Python."""

from __future__ import annotations

import abc
from collections.abc import Iterable
from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar


class Aggregate(Protocol):
    """What the unit of work needs of an aggregate: its id and the events it recorded."""

    @property
    def id(self) -> str: ...

    @property
    def events(self) -> list[Any]: ...


A = TypeVar("A", bound=Aggregate)


class SeenAggregates(abc.ABC, Generic[A]):
    """A repository base: `seen` holds what this repository loaded or added."""

    def __init__(self) -> None:
        self.seen: dict[str, A] = {}

    async def add(self, aggregate: A) -> None:
        await self._add(aggregate)
        self._saw(aggregate)

    @abc.abstractmethod
    async def _add(self, aggregate: A) -> None:
        """Store a new aggregate."""

    def _saw(self, *aggregates: A | None) -> None:
        """Remember these (loaded or added) aggregates; None is what was not found."""
        self.seen.update((a.id, a) for a in aggregates if a is not None)


class UnitOfWorkPort(abc.ABC):
    """A unit of work as handlers use it: `async with uow:`, change things, `await
    uow.commit()`; leaving without committing keeps nothing."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    @abc.abstractmethod
    async def commit(self) -> None: ...


class EventCollectingUnitOfWork(UnitOfWorkPort):
    """A unit of work port whose repositories are `SeenAggregates`."""

    @abc.abstractmethod
    def _repositories(self) -> Iterable[SeenAggregates[Any]]:
        """The repositories whose aggregates record events."""

    def collect_new_events(self) -> list[tuple[Any, Any]]:
        """(domain event, its aggregate) for every event recorded since the last collection,
        in order; the aggregates forget them."""
        collected: list[tuple[Any, Any]] = []
        for repository in self._repositories():
            for aggregate in repository.seen.values():
                collected.extend((event, aggregate) for event in aggregate.events)
                aggregate.events.clear()
        return collected
