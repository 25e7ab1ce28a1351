"""Figures over time and the annual report, from the commitments' latest period figures,
attributed to countries and levels the way the rollups are."""

from __future__ import annotations

from datetime import date

from monitoring.core.domain.model import CommitmentStatus
from monitoring.core.domain.periods import Cadence
from monitoring.core.domain.progress import CommitmentProgress
from monitoring.views.domain.annual_report import (
    SeriesGranularity,
    annual_report,
    annual_rows,
    bucket,
    series,
    text_cell,
)

from .builders import NOW, commitment, report


def progress() -> list[CommitmentProgress]:
    cloud = CommitmentProgress(commitment())  # DE FR, advanced, quarterly 2025..2027
    for r in (
        report("2025-Q1", 600, by_country={"DE": 400, "FR": 200}, investment_cents=1050),
        report("2025-Q4", 100),
        report("2026-Q1", 300),
    ):
        cloud.apply(r, NOW)
    sme = CommitmentProgress(
        commitment(
            "c-sme",
            partner_id="p-other",
            partnership_id="cloud-lsp",
            countries=("PT",),
            levels=("basic",),
            cadence=Cadence.MONTHLY,
            start_date=date(2025, 6, 1),
        )
    )
    for r in (
        report("2025-11", 50, commitment_id="c-sme", partner_id="p-other", people_reached=9),
        report("2026-01", 70, commitment_id="c-sme", partner_id="p-other"),
    ):
        sme.apply(r, NOW)
    old = CommitmentProgress(
        commitment(
            "c-old",
            status=CommitmentStatus.WITHDRAWN,
            countries=("DE",),
            levels=("intermediate",),
            start_date=date(2024, 1, 1),
            deadline=date(2025, 3, 31),
        )
    )
    gone = CommitmentProgress(
        commitment("c-2023", start_date=date(2023, 1, 1), deadline=date(2023, 12, 31))
    )
    return [cloud, sme, old, gone]


def test_months_fold_into_their_quarter_and_periods_into_their_year() -> None:
    assert bucket("2025-11", SeriesGranularity.QUARTER) == "2025-Q4"
    assert bucket("2025-Q4", SeriesGranularity.QUARTER) == "2025-Q4"
    assert bucket("2025-11", SeriesGranularity.YEAR) == "2025"


def test_series_per_scope_with_running_totals() -> None:
    points = series(progress(), "partner:p-acme", SeriesGranularity.QUARTER)
    assert [(p.period, p.figures.people_trained, p.cumulative.people_trained) for p in points] == [
        ("2025-Q1", 600, 600),
        ("2025-Q4", 100, 700),
        ("2026-Q1", 300, 1000),
    ]
    assert points[0].figures.investment_cents == 1050
    pt = series(progress(), "country:PT", SeriesGranularity.YEAR)
    assert [(p.period, p.figures.people_trained, p.figures.people_reached) for p in pt] == [
        ("2025", 50, 9),
        ("2026", 70, 0),
    ]
    de = series(progress(), "country:DE", SeriesGranularity.QUARTER)
    # c-cloud names DE and FR: what its reports do not break down is not attributed to either
    assert [(p.period, p.figures.people_trained, p.commitments_reporting) for p in de] == [
        ("2025-Q1", 400, 1),
        ("2025-Q4", 0, 1),
        ("2026-Q1", 0, 1),
    ]
    lsp = series(progress(), "partnership:cloud-lsp", SeriesGranularity.QUARTER)
    assert [(p.period, p.figures.people_trained) for p in lsp] == [("2025-Q4", 50), ("2026-Q1", 70)]


def test_the_annual_report_counts_the_years_periods_and_the_commitments_that_ran() -> None:
    r = annual_report(2025, progress())
    t = r.total
    assert (t.figures.people_trained, t.figures.people_reached, t.figures.investment_cents) == (
        750,
        9,
        1050,
    )
    assert (t.commitments, t.commitments_with_progress, t.periods_reported) == (3, 2, 3)
    assert dict(t.by_status) == {"active": 2, "withdrawn": 1}
    assert t.share_with_progress == 2 / 3
    assert t.partners_reporting == 2  # p-acme and p-other (the report counts, not lists)
    assert {k: v.figures.people_trained for k, v in r.countries.items()} == {
        "DE": 400,
        "FR": 200,
        "PT": 50,
    }
    assert r.countries["DE"].commitments == 2  # c-cloud and the withdrawn c-old
    assert {k: v.figures.people_trained for k, v in r.levels.items()} == {
        "advanced": 700,  # the commitment's only level takes what is not broken down
        "basic": 50,
        "intermediate": 0,
    }
    assert {k: v.figures.people_trained for k, v in r.partnerships.items()} == {
        "digital-ecosystem": 700,
        "cloud-lsp": 50,
    }
    only = annual_report(2025, progress(), "cloud-lsp")
    assert (only.total.figures.people_trained, list(only.partnerships)) == (50, ["cloud-lsp"])


def test_the_annual_table_has_a_row_per_scope_total_first() -> None:
    rows = annual_rows(annual_report(2025, progress()), {"cloud-lsp": "Cloud Skills"})
    assert [(r["scope"], r["id"]) for r in rows] == [
        ("total", ""),
        ("partnership", "cloud-lsp"),
        ("partnership", "digital-ecosystem"),
        ("country", "DE"),
        ("country", "FR"),
        ("country", "PT"),
        ("level", "basic"),
        ("level", "intermediate"),
        ("level", "advanced"),
    ]
    assert rows[0]["investment_eur"] == "10.50"
    assert rows[1]["name"] == "Cloud Skills"
    assert (rows[0]["commitments_active"], rows[0]["commitments_withdrawn"]) == (2, 1)


def test_names_that_a_spreadsheet_would_run_as_formulas_stay_text() -> None:
    names = {
        "cloud-lsp": '=HYPERLINK("http://evil.example","Cloud")',
        "digital-ecosystem": "+SUM(A1:A9)",
    }
    rows = annual_rows(annual_report(2025, progress()), names)
    shown = {r["id"]: r["name"] for r in rows if r["scope"] == "partnership"}
    assert shown == {
        "cloud-lsp": '\'=HYPERLINK("http://evil.example","Cloud")',
        "digital-ecosystem": "'+SUM(A1:A9)",
    }
    for start in ("-", "@", "\t", "\r"):
        assert text_cell(f"{start}x") == f"'{start}x"
    assert text_cell("Cloud Skills") == "Cloud Skills"
