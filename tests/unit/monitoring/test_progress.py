"""A commitment's progress: revisions, achieved value, series, breakdowns, rollups."""

from __future__ import annotations

from datetime import timedelta

from monitoring.core.domain.marks import latest
from monitoring.core.domain.model import CommitmentStatus, Figures, Metric, euros_to_cents
from monitoring.core.domain.progress import CommitmentProgress, Outcome
from monitoring.core.domain.rollups import (
    Totals,
    change,
    contribution,
    difference,
    members_key,
    merge,
    moved_periods,
)

from .builders import NOW, commitment, report


def test_first_report_applies_higher_revision_replaces_lower_or_equal_is_stale() -> None:
    p = CommitmentProgress(commitment())
    assert p.apply(report("2026-Q1", 100), NOW) is Outcome.APPLIED
    assert p.apply(report("2026-Q1", 150, revision=2), NOW) is Outcome.REPLACED
    assert p.apply(report("2026-Q1", 999, revision=2), NOW) is Outcome.STALE
    assert p.apply(report("2026-Q1", 999, revision=1), NOW) is Outcome.STALE
    assert p.achieved == 150
    assert p.periods["2026-Q1"].revision == 2
    assert p.periods["2026-Q1"].stale_reports == 2
    assert p.stale_reports == 2


def test_achieved_is_baseline_plus_every_period() -> None:
    p = CommitmentProgress(commitment(baseline=500))
    p.apply(report("2025-Q1", 100), NOW)
    p.apply(report("2025-Q2", 200), NOW)
    assert p.achieved == 800
    assert p.totals.people_trained == 300


def test_the_achieved_value_is_of_the_commitments_metric() -> None:
    p = CommitmentProgress(commitment(metric=Metric.INVESTMENT_EUR, target_value=1e6))
    p.apply(report("2025-Q1", 10, investment_cents=euros_to_cents(1234.56)), NOW)
    p.apply(report("2025-Q2", 10, investment_cents=euros_to_cents(0.44)), NOW)
    assert p.achieved == 1235.0
    assert euros_to_cents(0.1) + euros_to_cents(0.2) == euros_to_cents(0.3)


def test_series_is_in_period_order_with_running_totals() -> None:
    p = CommitmentProgress(commitment(baseline=10))
    p.apply(report("2025-Q3", 30), NOW)
    p.apply(report("2025-Q1", 10), NOW)
    p.apply(report("2025-Q2", 20, revision=3), NOW)
    assert [(s.period, s.value, s.cumulative, s.revision) for s in p.series()] == [
        ("2025-Q1", 10, 20, 1),
        ("2025-Q2", 20, 40, 3),
        ("2025-Q3", 30, 70, 1),
    ]
    assert str(p.last_reported_period) == "2025-Q3"


def test_the_latest_period_reported_is_kept_as_periods_come_and_go() -> None:
    """Kept once worked out (the rules ask at every evaluation): a later period moves it,
    an earlier one or a revision does not, and a period cleared makes it worked out again."""
    p = CommitmentProgress(commitment())
    seen = [p.last_reported_period]
    for period, revision in (("2025-Q2", 1), ("2025-Q1", 1), ("2025-Q4", 1), ("2025-Q4", 2)):
        p.apply(report(period, 10, revision=revision), NOW)
        seen.append(p.last_reported_period)
    p.correct("2025-Q4", 3, None, "secretariat", NOW)  # cleared: Q2 is the latest again
    seen.append(p.last_reported_period)
    p.correct("2025-Q1", 2, None, "secretariat", NOW)
    p.correct("2025-Q2", 2, None, "secretariat", NOW)
    seen.append(p.last_reported_period)
    p.apply(report("2024-Q3", 10), NOW)
    seen.append(p.last_reported_period)
    print(f"\nthe latest period after each step: {[str(x) for x in seen]}")
    assert [str(x) for x in seen] == [
        "None", "2025-Q2", "2025-Q2", "2025-Q4", "2025-Q4", "2025-Q2", "None", "2024-Q3",
    ]  # fmt: skip
    assert p.last_reported_period == latest(p.marks_)  # what a fresh look finds


def test_breakdowns_sum_over_periods_and_follow_corrections() -> None:
    p = CommitmentProgress(commitment())
    p.apply(report("2025-Q1", 10, by_country={"DE": 6, "FR": 4}, by_gender={"female": 10}), NOW)
    p.apply(report("2025-Q2", 5, by_country={"DE": 5}), NOW)
    assert p.totals.by_country == {"DE": 11, "FR": 4}
    p.apply(report("2025-Q1", 10, revision=2, by_country={"FR": 10}), NOW)
    assert p.totals.by_country == {"DE": 5, "FR": 10}
    assert p.totals.by_gender == {}


def test_last_report_time_is_the_latest_applied() -> None:
    p = CommitmentProgress(commitment())
    p.apply(report("2025-Q2"), NOW)
    p.apply(report("2025-Q1"), NOW - timedelta(days=1))
    assert p.last_report_at == NOW


def test_contribution_to_partner_partnership_countries_levels() -> None:
    p = CommitmentProgress(commitment(countries=("DE", "FR"), levels=("advanced",)))
    p.on_track = True
    f = Figures(
        people_trained=10,
        people_reached=50,
        programmes_developed=1,
        investment_cents=100,
        by_country={"DE": 7, "FR": 3},
    )
    p.apply(report("2025-Q1", 10), NOW)
    p.periods["2025-Q1"] = p.periods["2025-Q1"].__class__("2025-Q1", 1, "e", f, NOW)
    got = contribution(p)
    whole = Totals(10, 50, 1, 100, commitments=1, commitments_on_track=1)
    assert got["partner:p-acme"] == whole
    assert got["partnership:digital-ecosystem"] == whole
    assert got["members:digital-ecosystem:people_trained"] == Totals(people_trained=10)
    # two countries: only the broken-down people trained are attributed to them
    assert got["country:DE"] == Totals(people_trained=7, commitments=1, commitments_on_track=1)
    assert got["country:FR"] == Totals(people_trained=3, commitments=1, commitments_on_track=1)
    # one level and no level breakdown: the whole figures go to it
    assert got["level:advanced"] == whole


def test_a_commitment_not_measured_counts_its_figures_but_not_itself() -> None:
    p = CommitmentProgress(commitment(status=CommitmentStatus.WITHDRAWN))
    p.apply(report("2025-Q1", 10), NOW)
    assert contribution(p)["partner:p-acme"] == Totals(people_trained=10)


def test_difference_and_merge_keep_only_changes() -> None:
    p = CommitmentProgress(commitment())
    before = contribution(p)
    p.apply(report("2025-Q1", 10), NOW)
    delta = difference(contribution(p), before)
    assert delta[members_key("digital-ecosystem", Metric.PEOPLE_TRAINED)] == Totals(10)
    assert "country:FR" not in delta  # nothing attributable changed there
    undo = difference(before, contribution(p))
    merged = dict(delta)
    merge(merged, undo)
    assert merged == {}


def test_moved_periods_coalesce_each_period_and_attribute_it_once() -> None:
    """What a batch hands the four counters: per changed period, the figures it had when
    last settled and has now (what came between cancels out), each attributed once."""
    p = CommitmentProgress(commitment())
    p.apply(report("2025-Q1", 100), NOW)
    p.settled()
    p.apply(report("2025-Q1", 150, revision=2), NOW)
    p.apply(report("2025-Q2", 40), NOW)
    p.apply(report("2025-Q1", 170, revision=3), NOW)
    moved = moved_periods(p)
    assert [m.period for m in moved] == ["2025-Q1", "2025-Q2"]
    q1, q2 = moved
    assert q1.old is not None and q1.new is not None
    assert (q1.old.people_trained, q1.new.people_trained) == (100, 170)
    assert q2.old is None and q2.old_rows is None and q2.new is not None
    partner = "partner:p-acme"
    assert q1.old_rows is not None and q1.new_rows is not None and q2.new_rows is not None
    trained = [Totals(*rows[partner]).people_trained for rows in (q1.old_rows, q1.new_rows)]
    assert trained == [100, 170]
    # the rollups add what the moved periods attribute: new minus old, the middle revision gone
    assert change(p, moved)[partner].people_trained == 70 + 40
    assert change(p, moved) == change(p)
