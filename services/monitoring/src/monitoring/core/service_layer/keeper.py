"""The views' keeper (domain/view_journal.py): replays the journal the hot path writes when
the views are kept apart, in transactions of its own, off the consumer's event loop. Its
sums go to the lane of its unit of work (one keeper: lane 0; adapters/lanes.py)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from itertools import groupby, islice

from monitoring.core.domain.view_journal import Deltas, State, apply, in_order, runs
from monitoring.core.service_layer.unit_of_work import UnitOfWork

#: the most sets of scopes KnownStates shares (a commitment's periods report in a few)
SHARED_SCOPES = 10_000


async def add_views(uow: UnitOfWork, deltas: Deltas) -> None:
    """Add to the buckets, the partners per scope and the year rows."""
    await uow.buckets.add(deltas.buckets)
    await uow.presence.add(deltas.presence)
    await uow.years.add(deltas.years)


class KnownStates(Mapping[str, State]):
    """The states a keeper process remembers between its rounds, the `size` most recently
    kept, so that a round reads of them only their `seq` (ViewStates.get_many). Told only
    what a committed round kept: a round that failed leaves what it read unremembered.
    Remembered with their periods' and scopes' names shared (sys.intern, one tuple per
    set of scopes): a state of two years of monthly periods then holds about 3 KB rather
    than 10 KB, each decoded anew."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._states: dict[str, State] = {}
        self._scopes: dict[tuple[str, ...], tuple[str, ...]] = {}
        #: of the states committed rounds read since `taken`: remembered, and read whole
        self.remembered = self.read_whole = 0

    def _shared(self, scopes: tuple[str, ...]) -> tuple[str, ...]:
        if (known := self._scopes.get(scopes)) is None:
            if len(self._scopes) >= SHARED_SCOPES:
                return scopes
            known = self._scopes[scopes] = tuple(map(sys.intern, scopes))
        return known

    def _compact(self, s: State) -> State:
        name = sys.intern
        return State(
            s.commitment,
            tuple(map(name, s.periods)),
            s.totals,
            {name(q): self._shared(more) for q, more in s.extra.items()},
            {y: {name(k): n for k, n in scopes.items()} for y, scopes in s.figured.items()},
            s.seq,
        )

    def __getitem__(self, commitment_id: str) -> State:
        return self._states[commitment_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._states)

    def __len__(self) -> int:
        return len(self._states)

    def counted(self, read: Mapping[str, State]) -> None:
        """Count what a committed round read: the states it took as remembered (these very
        objects), and the others, read whole."""
        hits = sum(1 for i, s in read.items() if self._states.get(i) is s)
        self.remembered += hits
        self.read_whole += len(read) - hits

    def taken(self) -> tuple[int, int]:
        """The counts since the last call (remembered, read whole), for a metric to add."""
        counts, self.remembered, self.read_whole = (self.remembered, self.read_whole), 0, 0
        return counts

    def kept(self, states: Iterable[State]) -> None:
        for s in states:
            self._states.pop(s.commitment.id, None)  # the most recent last
            self._states[s.commitment.id] = self._compact(s)
        if (over := len(self._states) - self._size) > 0:  # the least recently kept go
            for commitment_id in list(islice(self._states, over)):
                del self._states[commitment_id]


async def keep_views(
    uow: UnitOfWork, limit: int, now: datetime, known: KnownStates | None = None
) -> int:
    """Replay the oldest journal entries, about `limit` of them (ViewJournal.oldest), and
    remove them, in one transaction (an entry that waits for one not read yet stays).
    Returns how many were removed: 0 when the journal is empty (or all of it waits).
    `known`: the states remembered from the rounds before, told what this one keeps."""
    async with uow:
        assert uow.journal is not None, "the views are kept inline"
        while True:
            read = await uow.journal.oldest(limit)
            if not read:
                return 0
            states = await uow.view_states.get_many({e.commitment_id for e in read}, known)
            ready, done = in_order(read, states)
            if ready or done or len(read) < limit:
                break
            limit *= 2  # all of it waits for entries written later, further on: read them
        deltas, kept = Deltas.none(), dict[str, State]()
        for commitment_id, mine in groupby(ready, key=lambda e: e.commitment_id):
            for run in runs(list(mine)):
                state = kept.get(commitment_id, states.get(commitment_id))
                more, kept[commitment_id] = apply(state, run, now)
                deltas.add(more)
        await add_views(uow, deltas)
        await uow.view_states.save_many(kept.values())
        await uow.journal.remove([*ready, *done])
        await uow.commit()
    if known is not None:
        known.counted(states)
        known.kept(kept.values())
    return len(ready) + len(done)


async def drain(uow: Callable[[], UnitOfWork], limit: int, now: datetime) -> int:
    """Replay the journal to its end (a rebuild's, once every record is taken): how many
    entries were removed."""
    removed = 0
    while n := await keep_views(uow(), limit, now):
        removed += n
    return removed
