"""Where the views' keeper reads and keeps (domain/view_journal.py): the journal the hot
path writes, and what the keeper keeps of each commitment."""

from __future__ import annotations

import abc
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from monitoring.core.domain.view_journal import Entry, State


class ViewJournal(abc.ABC):
    @abc.abstractmethod
    async def add(self, entries: Sequence[Entry], at: datetime) -> None: ...

    @abc.abstractmethod
    async def oldest(self, limit: int) -> list[Entry]:
        """The oldest entries, at least `limit` of them if there are (as they were written:
        a unit of work's together)."""

    @abc.abstractmethod
    async def remove(self, entries: Iterable[Entry]) -> None: ...


class ViewStates(abc.ABC):
    @abc.abstractmethod
    async def get_many(
        self, commitment_ids: Iterable[str], known: Mapping[str, State] | None = None
    ) -> dict[str, State]:
        """What is kept of these commitments. `known`: states remembered from earlier rounds,
        each taken as it is while the one stored has its `seq` (a state is what replaying
        its commitment's entries up to `seq` leaves), else read whole."""

    @abc.abstractmethod
    async def save_many(self, states: Iterable[State]) -> None:
        """Kept: of a state read by get_many in this unit of work, only what changed."""
