"""The annual report read from the year rows the hot path keeps (core/domain/years.py): one
partnership's rows, or all partnerships' summed, and the partners per scope from the
count rows. Pure: the adapter (views/adapters/aggregate_views.py) reads the documents,
the property test reads the same rows kept in memory."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from monitoring.core.domain.figures import AMOUNT_NAMES
from monitoring.core.domain.rollups import COUNTRY, LEVEL, PARTNERSHIP, Totals
from monitoring.core.domain.years import (
    ALL,
    BREAKDOWN,
    COMMITMENTS,
    P_COMMITMENTS,
    PERIODS,
    STATUSES,
    SUM,
    SUMMED,
    TOTAL,
    WITH_PROGRESS,
    split_partner_row_id,
    split_year_id,
    status_field,
)
from monitoring.views.domain.annual_report import AnnualReport, ScopeYear


def rows_of(
    rows: Mapping[str, Mapping[str, int]], year: int, partnership_id: str | None = None
) -> dict[str, dict[str, int]]:
    """The year rows of one year by scope: of one partnership, or summed over all."""
    out: dict[str, dict[str, int]] = {}
    for key, row in rows.items():
        of, scope, y = split_year_id(key)
        if y == year and partnership_id in (None, of):
            into = out.setdefault(scope, {})
            for name, value in row.items():
                into[name] = into.get(name, 0) + value
    return out


def partner_counts(
    counts: Mapping[str, Sequence[int]], year: int, partnership_id: str | None = None
) -> dict[str, tuple[int, int, int]]:
    """Per scope of one year (of one partnership, or over all): how many partners count
    there, report there, and have figures there, from the count rows (year_counts.py; over
    all, a partnership's own scope is counted in that partnership's rows only)."""
    out: dict[str, tuple[int, int, int]] = {}
    for key, row in counts.items():
        of, scope, y = split_year_id(key)
        if y != year:
            continue
        if of == partnership_id or (
            partnership_id is None and (of == ALL or scope.startswith(f"{PARTNERSHIP}:"))
        ):
            partners, reporting, with_figures = row
            out[scope] = (partners, reporting, with_figures)
    return out


def partner_ids(partners: Mapping[str, Sequence[int]], year: int, partnership_id: str) -> list[str]:
    """The partners counted in a partnership's total of one year."""
    return sorted(
        partner_id
        for key, counts in partners.items()
        for of, scope, y, partner_id in [split_partner_row_id(key)]
        if (of, scope, y) == (partnership_id, TOTAL, year) and counts[P_COMMITMENTS] > 0
    )


def from_years(
    year: int,
    rows: Mapping[str, Mapping[str, Any]],
    partners: Mapping[str, Sequence[int]],
    partnership_id: str | None = None,
    partner_ids: list[str] | None = None,
) -> AnnualReport:
    """The annual report from the year rows kept on the hot path (core/domain/years.py): one
    partnership's rows of the year by scope (or all partnerships' summed), how many partners
    count in each scope, report there and have figures there (years.partner_counts), and the
    partners of the total of a report of one partnership. Says what `annual_report` says of
    the same commitments (a summed breakdown's keys in sorted order, as it gives them)."""
    report = AnnualReport(year, partnership_id, partner_ids=partner_ids)
    report.breakdowns = {s.reported_as: {} for s in SUMMED}
    tables = {PARTNERSHIP: report.partnerships, COUNTRY: report.countries, LEVEL: report.levels}
    for scope, row in sorted(rows.items()):
        kind, _, key = scope.partition(":")
        if kind == BREAKDOWN:
            name, _, value = key.partition(":")
            if row.get(SUM, 0) and name in report.breakdowns:
                report.breakdowns[name][value] = row[SUM]
            continue
        counted, reporting, with_figures = partners.get(scope, (0, 0, 0))
        group = ScopeYear(
            figures=Totals(*(row.get(name, 0) for name in AMOUNT_NAMES)),
            periods_reported=row.get(PERIODS, 0),
            commitments=row.get(COMMITMENTS, 0),
            commitments_with_progress=row.get(WITH_PROGRESS, 0),
            by_status=Counter({s: n for s in STATUSES if (n := row.get(status_field(s), 0))}),
            partners_reporting=reporting,
            partners=counted,
            # the total is never suppressed for its figures' partners
            partners_with_figures=with_figures if scope != TOTAL else 0,
        )
        if scope == TOTAL:
            report.total = group
        else:
            tables[kind][key] = group
    return report
