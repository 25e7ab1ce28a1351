"""Figures over time and the annual report, computed from the commitments' reported periods
(the latest revision of each). Pure.

Attribution to partners, partnerships, countries and levels is the rollups' own
(domain/rollups.py `contribution`), applied to the periods of interest only, so a year's or a
quarter's figures add up to the running totals.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from monitoring.core.domain.figures import AMOUNTS, FigureSpec, Kind, sum_figures
from monitoring.core.domain.periods import Granularity, Period
from monitoring.core.domain.progress import CommitmentProgress
from monitoring.core.domain.rollups import (
    COUNTRY,
    LEVEL,
    PARTNERSHIP,
    Totals,
    contribution,
    rollup_key,
)
from monitoring.core.domain.years import (
    STATUSES,
    SUMMED,
)

LEVELS = ("basic", "intermediate", "advanced", "expert")


def restricted(progress: CommitmentProgress, periods: Iterable[str]) -> CommitmentProgress:
    """The same commitment with only these reported periods."""
    return CommitmentProgress(progress.commitment, {p: progress.periods[p] for p in periods})


# --- time series -----------------------------------------------------------------------------


class SeriesGranularity(StrEnum):
    QUARTER = "quarter"
    YEAR = "year"


def bucket(period: str, granularity: SeriesGranularity) -> str:
    """A period's quarter (months fold into theirs) or year."""
    p = Period.parse(period)
    if granularity is SeriesGranularity.YEAR:
        return f"{p.year:04d}"
    return str(Period.containing(p.start, Granularity.QUARTER))


@dataclass(frozen=True)
class Point:
    period: str
    figures: Totals
    cumulative: Totals
    #: commitments with a report in this period (of those counted in the scope)
    commitments_reporting: int


def series(
    progress: Iterable[CommitmentProgress], scope_key: str, granularity: SeriesGranularity
) -> list[Point]:
    """The scope's figures per quarter (year), in order, with running totals. A period
    counts toward the scope when the rollups attribute any of it there."""
    buckets: dict[str, Totals] = {}
    reporting: Counter[str] = Counter()
    for p in progress:
        seen: set[str] = set()
        for name in p.periods:
            part = contribution(restricted(p, [name])).get(scope_key)
            if part is None:
                continue
            label = bucket(name, granularity)
            buckets[label] = buckets.get(label, Totals()) + part.figures_only()
            seen.add(label)
        reporting.update(seen)
    points: list[Point] = []
    running = Totals()
    for label in sorted(buckets):
        running = running + buckets[label]
        points.append(Point(label, buckets[label], running, reporting[label]))
    return points


def points(rows: Iterable[tuple[str, Totals, int]]) -> list[Point]:
    """The series from a scope's stored buckets (core/domain/buckets.py), which hold what
    `series` folds: (quarter or year, its figures, commitments reporting), in order. A bucket
    no commitment reports in any more is not a point."""
    out: list[Point] = []
    running = Totals()
    for label, figures, reporting in sorted(rows, key=lambda row: row[0]):
        if reporting > 0:
            running = running + figures
            out.append(Point(label, figures, running, reporting))
    return out


# --- the annual report -------------------------------------------------------------------------


@dataclass
class ScopeYear:
    """One scope's year: the figures reported for the year's periods, and the commitments
    that ran in the year (window overlapping it, or reporting for it) by current status."""

    figures: Totals = field(default_factory=Totals)
    periods_reported: int = 0
    commitments: int = 0
    commitments_with_progress: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    #: how many partners have a commitment with a period here
    partners_reporting: int = 0
    #: how many partners' commitments count here, reporting or not, and how many partners'
    #: figures are attributed here (suppression.py)
    partners: int = 0
    partners_with_figures: int = 0

    def count(self, status: str, periods: int) -> None:
        self.commitments += 1
        self.by_status[status] += 1
        self.periods_reported += periods
        if periods:
            self.commitments_with_progress += 1

    @property
    def share_with_progress(self) -> float | None:
        return self.commitments_with_progress / self.commitments if self.commitments else None


@dataclass
class AnnualReport:
    year: int
    partnership_id: str | None = None
    total: ScopeYear = field(default_factory=ScopeYear)
    partnerships: dict[str, ScopeYear] = field(default_factory=dict)
    countries: dict[str, ScopeYear] = field(default_factory=dict)
    levels: dict[str, ScopeYear] = field(default_factory=dict)
    #: the breakdowns without a scope, summed over the year, by their reported name
    breakdowns: dict[str, dict[str, int]] = field(default_factory=dict)
    #: the partners counted in the total, of a report of one partnership (its declarations)
    partner_ids: list[str] | None = None


def ran_in(progress: CommitmentProgress, year: int) -> list[str]:
    """The periods of `year` the commitment reported (quarters and months of that year)."""
    return [p for p in progress.periods if Period.parse(p).year == year]


def annual_report(
    year: int, progress: Iterable[CommitmentProgress], partnership_id: str | None = None
) -> AnnualReport:
    """The Pact for Skills survey's key figures for one year, measured."""
    report = AnnualReport(year, partnership_id)
    first, last = date(year, 1, 1), date(year, 12, 31)
    summed: dict[str, Counter[str]] = {s.reported_as: Counter() for s in SUMMED}
    #: per group: the partners counted there, reporting there, with figures there
    who: dict[int, tuple[ScopeYear, set[str], set[str], set[str]]] = {}

    def partners(group: ScopeYear) -> tuple[ScopeYear, set[str], set[str], set[str]]:
        return who.setdefault(id(group), (group, set(), set(), set()))

    def scope(kind: str, key: str) -> ScopeYear:
        table = {
            PARTNERSHIP: report.partnerships,
            COUNTRY: report.countries,
            LEVEL: report.levels,
        }[kind]
        return table.setdefault(key, ScopeYear())

    for p in progress:
        c = p.commitment
        if partnership_id is not None and c.partnership_id != partnership_id:
            continue
        periods = ran_in(p, year)
        overlaps = c.target.start_date <= last and c.target.deadline >= first
        if not (overlaps or periods):
            continue
        in_year = restricted(p, periods)
        parts = contribution(in_year)
        for key, totals in parts.items():
            kind, _, name = key.partition(":")
            if kind in (PARTNERSHIP, COUNTRY, LEVEL):
                target = scope(kind, name)
                target.figures = target.figures + totals.figures_only()
                if totals.figures_only():
                    partners(target)[3].add(c.partner_id)
        whole = parts.get(rollup_key(PARTNERSHIP, c.partnership_id), Totals())
        report.total.figures = report.total.figures + whole.figures_only()
        counted = [report.total, scope(PARTNERSHIP, c.partnership_id)]
        counted += [scope(COUNTRY, country) for country in c.countries]
        counted += [scope(LEVEL, level) for level in c.levels]
        for s in counted:
            s.count(c.status.value, len(periods))
            _, counted_there, reporting_there, _ = partners(s)
            counted_there.add(c.partner_id)
            if periods:
                reporting_there.add(c.partner_id)
        year_sum = sum_figures(e.figures for e in in_year.periods.values())
        for spec in SUMMED:
            summed[spec.reported_as].update(getattr(year_sum, spec.name))
    report.breakdowns = {name: _nonzero(n) for name, n in summed.items()}
    for group, counted_there, reporting_there, with_figures in who.values():
        group.partners, group.partners_reporting = len(counted_there), len(reporting_there)
        group.partners_with_figures = len(with_figures)
    if partnership_id is not None:
        report.partner_ids = sorted(partners(report.total)[1])
    return report


def _nonzero(counts: Mapping[str, int]) -> dict[str, int]:
    return {k: v for k, v in sorted(counts.items()) if v}


#: the annual report as a table: one row per scope, these columns
COLUMNS = (
    "year",
    "scope",
    "id",
    "name",
    *(s.reported_as for s in AMOUNTS),
    "periods_reported",
    "partners_reporting",
    "commitments",
    "commitments_with_progress",
    *(f"commitments_{s}" for s in STATUSES),
)


def cell(spec: FigureSpec, stored: int) -> object:
    """A figure in the table: counts as they are, euros with two decimals."""
    return f"{spec.shown(stored):.2f}" if spec.kind is Kind.MONEY else stored


#: a spreadsheet reads a cell that starts with one of these as a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(text: str) -> str:
    """Text as a spreadsheet shows it, never as a formula: names come from partners, and a
    name like `=HYPERLINK(...)` must stay a name (OWASP's CSV injection rule)."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def scope_row(year: int, scope: str, key: str, name: str, s: ScopeYear) -> dict[str, object]:
    f = s.figures
    return {
        "year": year,
        "scope": scope,
        "id": text_cell(key),
        "name": text_cell(name),
        **{spec.reported_as: cell(spec, getattr(f, spec.name)) for spec in AMOUNTS},
        "periods_reported": s.periods_reported,
        "partners_reporting": s.partners_reporting,
        "commitments": s.commitments,
        "commitments_with_progress": s.commitments_with_progress,
        **{f"commitments_{st}": s.by_status[st] for st in STATUSES},
    }


def level_order(levels: Iterable[str]) -> list[str]:
    return sorted(levels, key=lambda level: (LEVELS.index(level) if level in LEVELS else 99, level))


def annual_rows(report: AnnualReport, names: dict[str, str]) -> list[dict[str, object]]:
    """Total first, then partnerships, countries and levels."""
    y = report.year
    rows = [scope_row(y, "total", report.partnership_id or "", "", report.total)]
    rows += [
        scope_row(y, "partnership", k, names.get(k, ""), report.partnerships[k])
        for k in sorted(report.partnerships)
    ]
    rows += [scope_row(y, "country", k, "", report.countries[k]) for k in sorted(report.countries)]
    rows += [scope_row(y, "level", k, "", report.levels[k]) for k in level_order(report.levels)]
    return rows
