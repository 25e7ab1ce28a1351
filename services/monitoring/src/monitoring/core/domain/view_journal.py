"""The views' counters kept apart from the hot path. Pure.

The buckets (buckets.py), the partners per scope (presence.py) and the annual report's year
rows (year_deltas.py) decide no alert: the hot path need not work them out while a report
waits for its alert. Kept apart, it writes instead, in its own transaction, one journal
entry per commitment it settled: the periods whose figures moved (first old, last new) and
its definition, with every period's figures after a new definition. The views' keeper
(service_layer/keeper.py) replays the entries of each commitment in order (`seq`) on what it
keeps of it (`State`: what those three modules keep in step on the head when kept inline),
with the same functions, and writes the deltas, its states and the entries' removal in one
transaction: each entry counts exactly once, and the views equal what they would be inline
(tests/property/test_incremental_cells.py plays both).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from monitoring.core.domain import buckets, presence, year_deltas, years
from monitoring.core.domain.model import Commitment, Figures
from monitoring.core.domain.progress import CommitmentProgress, PeriodEntry
from monitoring.core.domain.rollups import Moved, moved_periods


@dataclass(frozen=True)
class Move:
    period: str
    old: Figures | None
    new: Figures | None


@dataclass(frozen=True)
class Entry:
    """What one settle changed of a commitment, for its views: its `seq`-th entry."""

    commitment_id: str
    seq: int
    moves: tuple[Move, ...]
    #: its definition when new or newly defined (None: the one the keeper keeps)
    commitment: Commitment | None = None
    #: after a new definition: every period's figures (after the moves)
    cells: Mapping[str, Figures] | None = None


@dataclass(frozen=True)
class State:
    """What the keeper keeps of a commitment: the definition, reported periods and totals
    its views last counted, each period's scopes beyond its own (buckets.py) and its
    periods with figures per year and scope (years.py); `seq`: its last entry replayed."""

    commitment: Commitment
    periods: tuple[str, ...]
    totals: Figures
    extra: Mapping[str, tuple[str, ...]]
    figured: Mapping[int, Mapping[str, int]]
    seq: int


@dataclass
class Deltas:
    """What replayed entries add to the views."""

    buckets: buckets.Buckets
    presence: presence.Presence
    years: years.Yearly

    @classmethod
    def none(cls) -> Deltas:
        return cls({}, {}, years.Yearly())

    def add(self, more: Deltas) -> None:
        buckets.merge(self.buckets, more.buckets)
        presence.merge(self.presence, more.presence)
        self.years.merge(more.years)


def entry_of(p: CommitmentProgress, moved: Sequence[Moved]) -> Entry | None:
    """The entry of a commitment about to be settled, given its changed periods as
    rollups.moved_periods gives them (None: nothing its views count moved): new, newly
    defined, or with periods changed. Counts it on `p.journaled`."""
    new, redefined = p.loaded_as is None, p.loaded_as is not None and p.contributed is not None
    if not (new or redefined or moved):
        return None
    p.journaled = (p.journaled or 0) + 1
    moves = tuple(Move(m.period, m.old, m.new) for m in moved)
    cells = {q: e.figures for q, e in p.periods.items()} if redefined else None
    c = p.commitment if new or redefined else None
    return Entry(p.id, p.journaled, moves, c, cells)


def runs(entries: Sequence[Entry]) -> list[list[Entry]]:
    """A commitment's entries, in order, as runs replayed together: each run's first entry
    may be new or newly defined, the others only move periods."""
    out: list[list[Entry]] = []
    for e in entries:
        if out and e.cells is None and e.commitment is None:
            out[-1].append(e)
        else:
            out.append([e])
    return out


def apply(state: State | None, run: Sequence[Entry], at: datetime) -> tuple[Deltas, State]:
    """Replay a run of a commitment's entries (runs) on what the keeper keeps of it (None:
    nothing yet, a new commitment): the views' deltas, and what it keeps now. What the
    periods moved is worked out once for the run (the deltas of successive settles add up
    to those of their first and last states)."""
    e = run[0]
    if state is None:
        assert e.commitment is not None, f"{e.commitment_id}: its first entry is not new"
        p = CommitmentProgress.new(e.commitment)
    elif e.cells is not None:  # a new definition: what it added under the old one goes
        assert e.commitment is not None
        before = dict(e.cells)
        for m in e.moves:  # one per period: the cells as they were before this settle
            if m.old is None:
                before.pop(m.period, None)
            else:
                before[m.period] = m.old
        p = _kept(state, state.commitment, {q: PeriodEntry(q, 0, "", f, at) for q, f in
                                            before.items()})  # fmt: skip
        p.redefine(e.commitment, None, buckets.contribution(p), years.contribution(p))
    else:
        p = _kept(state, state.commitment, None)
    for entry in run:
        for m in entry.moves:
            p.replay(m.period, m.old, m.new, at)
    moved = moved_periods(p)
    deltas = Deltas(
        buckets.change(p, moved), presence.change(p, moved), year_deltas.change(p, moved)
    )
    assert p.extra is not None and p.figured is not None
    kept = State(p.commitment, tuple(p.marks_), p.totals, p.extra, p.figured, run[-1].seq)
    return deltas, kept


def _kept(state: State, c: Commitment, cells: dict[str, PeriodEntry] | None) -> CommitmentProgress:
    """The commitment as the keeper keeps it (`cells`: every period's, or none)."""
    figured = {year: dict(scopes) for year, scopes in state.figured.items()}
    if cells is None:
        return CommitmentProgress(
            c,
            marks={q: [0, 0.0] for q in state.periods},  # their values do not count here
            kept_totals=state.totals,
            complete=False,
            extra=dict(state.extra),
            figured=figured,
        )
    return CommitmentProgress(
        c, cells, kept_totals=state.totals, extra=dict(state.extra), figured=figured
    )


def in_order(
    entries: Iterable[Entry], states: Mapping[str, State]
) -> tuple[list[Entry], list[Entry]]:
    """Of the entries read, those that follow what is kept of their commitments (by
    commitment, in order), and those replayed already (removed unreplayed). The others
    wait for an entry not read yet (written by another instance, and read later)."""
    by_id: dict[str, list[Entry]] = {}
    for e in entries:
        by_id.setdefault(e.commitment_id, []).append(e)
    ready: list[Entry] = []
    done: list[Entry] = []
    for commitment_id, mine in by_id.items():
        kept = states.get(commitment_id)
        following = kept.seq + 1 if kept is not None else 1
        for e in sorted(mine, key=lambda e: e.seq):
            if e.seq < following:
                done.append(e)
            elif e.seq == following:
                ready.append(e)
                following += 1
            else:
                break
    return ready, done
