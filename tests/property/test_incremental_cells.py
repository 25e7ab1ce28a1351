"""The hot path keeps a commitment as a small head plus a cell per period, loads only the
cells a batch touches, and adds to the rollups only what changed. Whatever the history
(revisions, redeliveries, corrections that clear or set a period, new definitions that move
a commitment to other countries, levels, metric or status, on-track flips), what it keeps
must equal a recomputation from scratch: every cell and head as the whole history gives
them, every rollup the sum of the commitments' whole contributions, and the buckets, partners
per scope and year rows what the folds over every cell say."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date
from itertools import groupby
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.core.adapters import documents as d
from monitoring.core.adapters import view_journal as vj
from monitoring.core.domain import buckets, presence, view_journal, year_counts, year_deltas, years
from monitoring.core.domain.model import Commitment, CommitmentStatus, Figures, Metric
from monitoring.core.domain.progress import CommitmentProgress
from monitoring.core.domain.rollups import Totals, change, contribution, merge, moved_periods
from monitoring.core.domain.view_journal import Deltas
from monitoring.views.domain.annual_report import (
    SeriesGranularity,
    annual_report,
    series,
)
from monitoring.views.domain.suppression import suppressed, suppressed_scopes
from monitoring.views.domain.year_rows import from_years, partner_counts, partner_ids, rows_of
from tests.property.test_aggregation_properties import (
    COMMITMENTS,
    NOW,
    QUARTERS,
    report,
)
from tests.property.test_aggregation_properties import figures as plain_figures
from tests.support.stored_heads import StoredHeads

PROPERTIES = settings(max_examples=150, deadline=None, derandomize=True)
#: the views kept inline, and apart (by the keeper, from the journal)
APART = pytest.mark.parametrize("apart", [False, True], ids=["inline", "apart"])
IDS = [c.id for c in COMMITMENTS]


#: the years a commitment's window may start and end in (the reports are of 2025 and 2026)
YEARS = [2024, 2025, 2026, 2027]


@st.composite
def figures(draw: st.DrawFn) -> Figures:
    """A period's figures, sometimes broken down by gender (summed over the year only)."""
    f = draw(plain_figures())
    female = draw(st.integers(0, f.people_trained))
    by_gender = draw(st.sampled_from([{}, {"female": female, "male": f.people_trained - female}]))
    return replace(f, by_gender=by_gender)


@st.composite
def definitions(draw: st.DrawFn, c: Commitment) -> Commitment:
    start, end = sorted(draw(st.lists(st.sampled_from(YEARS), min_size=2, max_size=2)))
    return replace(
        c,
        countries=tuple(draw(st.sets(st.sampled_from(["DE", "FR", "IT"]), max_size=2))),
        levels=tuple(draw(st.sets(st.sampled_from(["basic", "advanced"]), max_size=2))),
        status=draw(st.sampled_from(list(CommitmentStatus))),
        target=replace(
            c.target,
            metric=draw(st.sampled_from([Metric.PEOPLE_TRAINED, Metric.INVESTMENT_EUR])),
            start_date=date(start, draw(st.sampled_from([1, 7])), 1),
            deadline=date(end, 12, 31),
        ),
    )


@st.composite
def step(draw: st.DrawFn) -> tuple[Any, ...]:
    kind = draw(st.sampled_from(["reports", "reports", "reports", "correct", "define", "track"]))
    if kind == "reports":
        batch = draw(
            st.lists(
                st.tuples(
                    st.sampled_from(COMMITMENTS),
                    st.sampled_from(QUARTERS),
                    st.integers(1, 4),
                    figures(),
                ),
                min_size=1,
                max_size=8,
            )
        )
        return ("reports", batch)
    commitment = draw(st.sampled_from(COMMITMENTS))
    if kind == "correct":
        cleared = draw(st.booleans())
        return ("correct", commitment.id, draw(st.sampled_from(QUARTERS)),
                draw(st.integers(1, 9)), None if cleared else draw(figures()))  # fmt: skip
    if kind == "define":
        return ("define", commitment.id, draw(definitions(commitment)))
    return ("track", commitment.id, draw(st.sampled_from([True, False, None])))


class Stored(StoredHeads):
    """Heads and cells as the repository writes them, and the rollups kept by deltas; the
    views kept inline, or (`apart`) by the keeper from the journal (domain/view_journal.py),
    its entries and states through their documents, at every fifth settle and at the end:
    read two or seven at a time, newest first (an entry read before the one it follows
    waits; a commitment's several in a read are replayed as one)."""

    def __init__(self, apart: bool = False) -> None:
        super().__init__()
        self.apart = apart
        self.journal: list[dict[str, Any]] = []
        self.states: dict[str, dict[str, Any]] = {}
        self.known: dict[str, view_journal.State] = {}
        self.reads = 0
        self.rollups: dict[str, Totals] = {}
        self.buckets: buckets.Buckets = {}
        self.presence: presence.Presence = {}
        self.years = years.Yearly()
        #: the count rows, kept as the repository keeps them: from the partner rows before
        self.counts: dict[str, list[int]] = {}
        self.settles = 0
        for c in COMMITMENTS:
            self.settle(CommitmentProgress.new(c))

    def load(self, commitment_id: str, periods: set[str] | None) -> CommitmentProgress:
        head = self.heads[commitment_id]
        cells = [
            cell
            for cell in self.cells.values()
            if cell["commitment_id"] == commitment_id
            and (periods is None or cell["period"] in periods)
        ]
        return d.commitment_from(head, cells, complete=periods is None)

    def settle(self, p: CommitmentProgress) -> None:
        # every other settle as the service does it, the changed periods attributed once
        # and shared by the read models; the others with each working them out alone
        self.settles += 1
        moved = moved_periods(p) if self.settles % 2 else None
        merge(self.rollups, change(p, moved))
        if self.apart:
            entry = view_journal.entry_of(p, moved_periods(p) if moved is None else moved)
            if entry is not None:
                self.journal.append(vj.entry_doc(entry))
        else:
            self.add(Deltas(buckets.change(p, moved), presence.change(p, moved),
                            year_deltas.change(p, moved)))  # fmt: skip
        p.settled()
        # as the repository stores them; each head must be what a whole write would leave
        self.store(p, check=True)
        if self.apart and self.settles % 5 == 0:
            self.keep()

    def add(self, deltas: Deltas) -> None:
        buckets.merge(self.buckets, deltas.buckets)
        presence.merge(self.presence, deltas.presence)
        buckets.merge(
            self.counts, year_counts.partners_counted(self.years.partners, deltas.years.partners)
        )
        self.years.merge(deltas.years)

    def keep(self) -> None:
        """Replay the journal as the keeper does, until it is empty."""
        while self.journal:
            self.reads += 1  # two entries, or seven (a commitment's several, replayed as one)
            window = 2 if self.reads % 2 else 7
            read = [vj.entry_from(doc) for doc in self.journal[::-1][:window]]
            before = {i: self.known_or_read(i, doc) for i, doc in self.states.items()}
            states = dict(before)
            ready, done = view_journal.in_order(read, states)
            assert ready or done or len(read) < len(self.journal), "the journal is stuck"
            if not ready and not done:  # the entries they follow: read next
                self.journal = self.journal[-window:] + self.journal[:-window]
                continue
            for commitment_id, mine in groupby(ready, key=lambda e: e.commitment_id):
                for run in view_journal.runs(list(mine)):
                    deltas, kept = view_journal.apply(states.get(commitment_id), run, NOW)
                    states[commitment_id] = kept
                    self.add(deltas)
            for commitment_id in {e.commitment_id for e in ready}:
                self.save(before.get(commitment_id), states[commitment_id])
            gone = {(e.commitment_id, e.seq) for e in [*ready, *done]}
            self.journal = [d for d in self.journal if (d["commitment_id"], d["seq"]) not in gone]

    def known_or_read(self, commitment_id: str, doc: dict[str, Any]) -> view_journal.State:
        """As the keeper process reads a state (KnownStates): at two reads in three, the
        one it kept before, when its seq is the stored one's; else decoded."""
        known = self.known.get(commitment_id)
        if self.reads % 3 and known is not None and known.seq == doc["seq"]:
            return known
        return vj.state_from(doc)

    def save(self, before: view_journal.State | None, kept: view_journal.State) -> None:
        """As the keeper writes a state: whole when new, else only what changed (the
        update, applied as mongod applies it, must leave the whole document)."""
        whole = vj.state_doc(kept)
        if before is not None:
            assert updated(self.states[kept.commitment.id], vj.state_changes(before, kept)) == whole
        self.states[kept.commitment.id] = whole
        self.known[kept.commitment.id] = kept

    def kept(self, commitment_id: str) -> view_journal.State:
        return vj.state_from(self.states[commitment_id])


def updated(doc: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """`doc` after `update`'s $set, $unset and $push (of $each) of fields and their fields."""
    out = copy.deepcopy(doc)

    def parent(path: str) -> tuple[dict[str, Any], str]:
        *parents, last = path.split(".")
        at = out
        for name in parents:
            at = at.setdefault(name, {})
        return at, last

    for path, value in update.get("$set", {}).items():
        at, last = parent(path)
        at[last] = value
    for path in update.get("$unset", {}):
        at, last = parent(path)
        at.pop(last, None)
    for path, push in update.get("$push", {}).items():
        at, last = parent(path)
        at[last] = [*at.get(last, []), *push["$each"]]
    return out


def play(steps: list[tuple[Any, ...]], apart: bool = False) -> Stored:
    stored, n = Stored(apart), 0
    for s in steps:
        if s[0] == "reports":
            batch = s[1]
            touched: dict[str, CommitmentProgress] = {}
            wanted: dict[str, set[str]] = {}
            for c, period, _, _ in batch:
                wanted.setdefault(c.id, set()).add(period)
            for commitment_id, periods in wanted.items():
                touched[commitment_id] = stored.load(commitment_id, periods)
            for c, period, revision, f in batch:
                p = touched[c.id]
                n += 1
                p.apply(report(n, p.commitment, period, revision, f), NOW)
            for p in touched.values():
                stored.settle(p)
        elif s[0] == "correct":
            _, commitment_id, period, revision, f = s
            p = stored.load(commitment_id, {period})
            p.correct(period, revision, f, f"fix-{n}", NOW)
            stored.settle(p)
        elif s[0] == "define":
            _, commitment_id, definition = s
            p = stored.load(commitment_id, None)
            definition = replace(definition, version=p.commitment.version + 1)
            if apart:  # as the handler does: the keeper works out what the views had
                p.redefine(definition, contribution(p), None, None)
            else:
                p.redefine(
                    definition, contribution(p), buckets.contribution(p), years.contribution(p)
                )
            stored.settle(p)
        else:
            _, commitment_id, on_track = s
            p = stored.load(commitment_id, set())
            p.on_track = on_track
            stored.settle(p)
    if apart:
        stored.keep()
    return stored


def nonzero(rollups: dict[str, Totals]) -> dict[str, Totals]:
    return {k: v for k, v in rollups.items() if v}


@APART
@PROPERTIES
@given(st.lists(step(), min_size=1, max_size=25))
def test_cells_heads_and_rollups_equal_a_recomputation_from_scratch(
    apart: bool,
    steps: list[tuple[Any, ...]],
) -> None:
    stored = play(steps, apart)
    expected: dict[str, Totals] = {}
    for commitment_id in IDS:
        whole = stored.load(commitment_id, None)
        # the head's running totals and marks are what its cells give
        scratch = CommitmentProgress(whole.commitment, dict(whole.periods), on_track=whole.on_track)
        assert whole.totals == scratch.totals, commitment_id
        assert whole.marks == scratch.marks, commitment_id
        # and its periods with figures per year and scope (what its partner rows follow),
        # on its head or as the keeper keeps it, with its definition, periods and totals
        if apart:
            kept = stored.kept(commitment_id)
            assert kept.figured == years.figured(scratch), commitment_id
            assert kept.commitment == whole.commitment, commitment_id
            assert set(kept.periods) == set(whole.marks_) and kept.totals == scratch.totals
        else:
            assert whole.figured == years.figured(scratch), commitment_id
        assert stored.heads[commitment_id]["achieved"] == scratch.achieved
        merge(expected, contribution(scratch))
    assert nonzero(stored.rollups) == nonzero(expected)


@APART
@PROPERTIES
@given(st.lists(step(), min_size=1, max_size=25))
def test_cells_hold_the_highest_revision_or_the_latest_correction(
    apart: bool,
    steps: list[tuple[Any, ...]],
) -> None:
    """Replayed on whole objects kept in memory (no partial loading), the same history ends
    in the same cells."""
    stored = play(steps, apart)
    whole = {c.id: CommitmentProgress(c) for c in COMMITMENTS}
    n = 0
    for s in steps:
        if s[0] == "reports":
            for c, period, revision, f in s[1]:
                n += 1
                p = whole[c.id]
                p.apply(report(n, p.commitment, period, revision, f), NOW)
        elif s[0] == "correct":
            _, commitment_id, period, revision, f = s
            whole[commitment_id].correct(period, revision, f, f"fix-{n}", NOW)
        elif s[0] == "define":
            p = whole[s[1]]
            definition = replace(s[2], version=p.commitment.version + 1)
            p.redefine(definition, contribution(p), buckets.contribution(p), years.contribution(p))
    for commitment_id, p in whole.items():
        kept = stored.load(commitment_id, None)
        assert kept.periods == p.periods, commitment_id
        assert kept.stale_reports == p.stale_reports


@APART
@PROPERTIES
@given(st.lists(step(), min_size=1, max_size=25))
def test_quarter_and_year_buckets_equal_the_series_folded_from_the_cells(
    apart: bool,
    steps: list[tuple[Any, ...]],
) -> None:
    """Each scope's buckets, kept by deltas from partial loads, hold what the series folds
    from every commitment's cells: the figures of each quarter (year) and the commitments
    with a period in it; and the heads keep the scopes of each period beyond their own."""
    stored = play(steps, apart)
    whole = [stored.load(commitment_id, None) for commitment_id in IDS]
    scopes = {b.partition("|")[0] for b in stored.buckets}
    scopes |= {k for p in whole for k in contribution(p) if k.split(":")[0] in buckets.SCOPE_KINDS}
    for p in whole:
        scratch = CommitmentProgress(p.commitment, dict(p.periods))
        assert (stored.kept(p.id).extra if apart else p.extra) == buckets.extras(scratch), p.id
    for scope in sorted(scopes):
        for g in SeriesGranularity:
            folded = {
                point.period: (point.figures.values, point.commitments_reporting)
                for point in series(whole, scope, g)
            }
            kept = {
                b.partition("|")[2]: (tuple(row[: buckets.REPORTING]), row[buckets.REPORTING])
                for b, row in stored.buckets.items()
                if b.partition("|")[0] == scope
                and buckets.granularity_of(b.partition("|")[2]) == g.value
            }
            figures_only = {k: (v[0][: buckets.REPORTING], v[1]) for k, v in folded.items()}
            assert kept == figures_only, (scope, g)


@APART
@PROPERTIES
@given(st.lists(step(), min_size=1, max_size=25))
def test_partners_per_scope_hide_the_groups_the_fold_hides(
    apart: bool,
    steps: list[tuple[Any, ...]],
) -> None:
    """Per scope and partner, the commitments counted there and those with figures there,
    kept by deltas: each equals the count from every commitment's whole contribution, and
    the groups they hide from partners are those the fold over every cell hides."""
    stored = play(steps, apart)
    whole = [stored.load(commitment_id, None) for commitment_id in IDS]
    expected: presence.Presence = {}
    for p in whole:
        for key, totals in contribution(p).items():
            if key.partition(":")[0] in buckets.SCOPE_KINDS:
                row = expected.setdefault(
                    presence.presence_id(key, p.commitment.partner_id), [0, 0]
                )
                row[presence.COUNTED] += 1
                row[presence.WITH_FIGURES] += bool(totals.figures_only())
    assert stored.presence == {k: r for k, r in expected.items() if any(r)}
    partners: dict[str, list[int]] = {}
    for key, row in stored.presence.items():
        scope = key.partition("|")[0]
        counts = partners.setdefault(scope, [0, 0])
        counts[0] += row[presence.COUNTED] > 0
        counts[1] += row[presence.WITH_FIGURES] > 0
    kept = {scope for scope, (n, f) in partners.items() if suppressed(n, f)}
    folded = {k for k in suppressed_scopes(whole) if k.partition(":")[0] in buckets.SCOPE_KINDS}
    assert kept == folded


@APART
@PROPERTIES
@given(st.lists(step(), min_size=1, max_size=25))
def test_year_rows_give_the_annual_report_the_fold_gives(
    apart: bool,
    steps: list[tuple[Any, ...]],
) -> None:
    """The annual report's year rows, kept by deltas from partial loads (new windows,
    statuses, countries and levels; periods reported, revised and cleared), equal the sum of
    every commitment's whole contribution, and the report read from them is the report the
    fold over every cell makes, for every year and partnership and over all; the partners
    counted per scope, kept from the partner rows that change, are those counted afresh."""
    stored = play(steps, apart)
    whole = [stored.load(commitment_id, None) for commitment_id in IDS]
    expected = years.Yearly()
    for p in whole:
        expected.merge(years.contribution(p))
    assert stored.years == expected
    assert stored.counts == year_counts.partners_counted({}, expected.partners)
    partnerships = sorted({p.commitment.partnership_id for p in whole})
    for year in YEARS:
        for partnership in (None, *partnerships):
            kept = from_years(
                year,
                rows_of(stored.years.rows, year, partnership),
                partner_counts(stored.counts, year, partnership),
                partnership,
                partner_ids(stored.years.partners, year, partnership) if partnership else None,
            )
            assert kept == annual_report(year, whole, partnership), (year, partnership)
