"""Properties of monitoring's aggregation (its pure domain): whatever the order in which a set
of valid reports arrives, however often each is redelivered and however the stream is cut
into batches, the projections come out the same: per period the figures of the highest
revision, per commitment their sum, and rollups equal to what the commitments contribute."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.core.domain.acceptance import Receipt, unverifiable
from monitoring.core.domain.figures import without_zeros
from monitoring.core.domain.intake import Intake, Taken
from monitoring.core.domain.model import (
    Commitment,
    CommitmentStatus,
    Figures,
    Metric,
    Partner,
    Report,
    TargetDefinition,
)
from monitoring.core.domain.periods import Cadence
from monitoring.core.domain.progress import CommitmentProgress, sum_figures
from monitoring.core.domain.rollups import Totals, contribution, difference, merge

PROPERTIES = settings(max_examples=200, deadline=None, derandomize=True)
NOW = datetime(2026, 5, 15, 9, 30, tzinfo=UTC)
QUARTERS = ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]
PARTNERS = {"p-acme": Partner("p-acme", 1, "active"), "p-beta": Partner("p-beta", 1, "active")}


def commitment(
    commitment_id: str, partner_id: str, partnership_id: str, *countries: str
) -> Commitment:
    return Commitment(
        id=commitment_id,
        version=1,
        partner_id=partner_id,
        partnership_id=partnership_id,
        target=TargetDefinition(Metric.PEOPLE_TRAINED, 1e6, date(2025, 1, 1), date(2027, 12, 31)),
        cadence=Cadence.QUARTERLY,
        grace_days=30,
        status=CommitmentStatus.ACTIVE,
        countries=countries,
        levels=("advanced",),
    )


COMMITMENTS = [
    commitment("c-1", "p-acme", "digital", "DE", "FR"),
    commitment("c-2", "p-acme", "green", "IT"),
    commitment("c-3", "p-beta", "digital", "DE"),
]


@st.composite
def figures(draw: st.DrawFn) -> Figures:
    trained = draw(st.integers(0, 100_000))
    de = draw(st.integers(0, trained))
    by_country = draw(st.sampled_from([{}, {"DE": de, "FR": trained - de}, {"DE": de}]))
    return Figures(
        people_trained=trained,
        people_reached=draw(st.integers(0, 10**6)),
        programmes_developed=draw(st.integers(0, 20)),
        investment_cents=draw(st.integers(0, 10**9)),
        by_country=by_country,
    )


def report(n: int, c: Commitment, period: str, revision: int, f: Figures) -> Report:
    content = f"{c.id}|{period}|{revision}|{f}".encode()
    return Report(
        event_id=f"e-{n}",
        partner_id=c.partner_id,
        commitment_id=c.id,
        period=period,
        revision=revision,
        figures=f,
        occurred_at=NOW,
        content_hash=hashlib.sha256(content).hexdigest(),
    )


@st.composite
def distinct_reports(draw: st.DrawFn) -> list[Report]:
    """Reports of distinct (commitment, period, revision), each with an event_id of its own."""
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(COMMITMENTS), st.sampled_from(QUARTERS), st.integers(1, 6)),
            min_size=1,
            max_size=40,
            unique_by=lambda k: (k[0].id, k[1], k[2]),
        )
    )
    return [report(n, c, p, r, draw(figures())) for n, (c, p, r) in enumerate(keys)]


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[list[Report], list[Report], list[int]]:
    """(the distinct reports, the order they arrive in with redeliveries, batch sizes)."""
    reports = draw(distinct_reports())
    again = draw(st.lists(st.sampled_from(reports), max_size=len(reports) * 2))
    arriving = draw(st.permutations(reports + again))
    sizes = draw(st.lists(st.integers(1, 25), min_size=1, max_size=len(arriving)))
    return reports, arriving, sizes


@dataclass
class Store:
    """What the service keeps between batches: receipts, progress and rollups."""

    progress: dict[str, CommitmentProgress]
    receipts: dict[str, Receipt]
    rollups: dict[str, Totals]
    counts: Counter[Taken]


def take_all(arriving: list[Report], sizes: list[int]) -> Store:
    """As the hot path does: each batch decided by a fresh Intake over what is stored, then
    its receipts stored and the change of each touched commitment's contribution added."""
    store = Store({c.id: CommitmentProgress(c) for c in COMMITMENTS}, {}, {}, Counter())
    for progress in store.progress.values():  # as recording the commitments did
        merge(store.rollups, contribution(progress))
    batches, start = [], 0
    for size in sizes * (len(arriving) // min(sizes) + 1):
        if start >= len(arriving):
            break
        batches.append(arriving[start : start + size])
        start += size
    for batch in batches:
        ids = {r.event_id for r in batch}
        before = {i: contribution(p) for i, p in store.progress.items()}
        intake = Intake(
            partners=PARTNERS,
            progress=store.progress,
            now=NOW,
            receipts={i: store.receipts[i] for i in ids if i in store.receipts},
            verify=unverifiable,
        )
        for r in batch:
            intake.take(r)
        for receipt in intake.new_receipts + intake.changed_receipts:
            store.receipts[receipt.event_id] = receipt
        for commitment_id in intake.touched:
            after = contribution(store.progress[commitment_id])
            merge(store.rollups, difference(after, before[commitment_id]))
        store.counts.update(intake.counts)
    return store


def latest(reports: list[Report]) -> dict[tuple[str, str], Report]:
    """The ground truth: per (commitment, period) the report of the highest revision."""
    out: dict[tuple[str, str], Report] = {}
    for r in reports:
        known = out.get((r.commitment_id, r.period))
        if known is None or r.revision > known.revision:
            out[r.commitment_id, r.period] = r
    return out


@PROPERTIES
@given(deliveries())
def test_any_order_redelivery_and_batching_give_the_highest_revisions(
    case: tuple[list[Report], list[Report], list[int]],
) -> None:
    reports, arriving, sizes = case
    store = take_all(arriving, sizes)
    truth = latest(reports)
    for c in COMMITMENTS:
        progress = store.progress[c.id]
        expected = {p: r for (cid, p), r in truth.items() if cid == c.id}
        assert {p: (e.revision, e.event_id) for p, e in progress.periods.items()} == {
            p: (r.revision, r.event_id) for p, r in expected.items()
        }
        # the running totals' normal form has no breakdown key counting 0
        assert progress.totals == without_zeros(sum_figures(r.figures for r in expected.values()))
        assert progress.achieved == sum(r.figures.people_trained for r in expected.values())


@PROPERTIES
@given(deliveries())
def test_every_report_is_counted_once_whatever_happens(
    case: tuple[list[Report], list[Report], list[int]],
) -> None:
    reports, arriving, sizes = case
    counts = take_all(arriving, sizes).counts
    assert sum(counts.values()) == len(arriving)
    assert counts[Taken.DUPLICATE] == len(arriving) - len(reports)
    assert counts[Taken.APPLIED] == len(latest(reports))
    assert counts[Taken.APPLIED] + counts[Taken.REPLACED] + counts[Taken.REJECTED] == len(reports)
    assert counts[Taken.PARKED] == 0


@PROPERTIES
@given(deliveries())
def test_rollups_kept_by_deltas_equal_the_sum_of_contributions(
    case: tuple[list[Report], list[Report], list[int]],
) -> None:
    reports, arriving, sizes = case
    store = take_all(arriving, sizes)
    expected: dict[str, Totals] = {}
    for progress in store.progress.values():
        merge(expected, contribution(progress))
    assert nonzero(store.rollups) == nonzero(expected)
    truth = latest(reports).values()
    for key, partner in (("partner:p-acme", "p-acme"), ("partner:p-beta", "p-beta")):
        trained = sum(r.figures.people_trained for r in truth if r.partner_id == partner)
        assert store.rollups[key].people_trained == trained
    digital = sum(r.figures.people_trained for r in truth if r.commitment_id in ("c-1", "c-3"))
    assert store.rollups["partnership:digital"].people_trained == digital
    # another order of the same reports, in one batch, ends in the same rollups
    reordered = take_all(list(reversed(arriving)), [len(arriving)])
    assert nonzero(reordered.rollups) == nonzero(store.rollups)


def nonzero(rollups: dict[str, Totals]) -> dict[str, Totals]:
    return {k: v for k, v in rollups.items() if v}
