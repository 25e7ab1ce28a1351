"""The open figures: what anyone may read of a year, without signing in. The year's figures
(the annual report's own: views/domain/annual_report.py) in total, per partnership, country
and skill level, with every group whose figures or commitments come from fewer than
MIN_PARTNERS partners left out (views/domain/suppression.py, the rule partners read by),
the total too: a group of one partner would publish that partner's figures. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from monitoring.core.domain.figures import AMOUNTS
from monitoring.views.domain.annual_report import (
    AnnualReport,
    ScopeYear,
    cell,
    level_order,
    text_cell,
)
from monitoring.views.domain.suppression import hidden

TOTAL, PARTNERSHIP, COUNTRY, LEVEL = "total", "partnership", "country", "level"


@dataclass(frozen=True)
class OpenGroup:
    scope: str
    id: str
    name: str
    year: ScopeYear


@dataclass(frozen=True)
class OpenFigures:
    year: int
    #: every year some figures were reported for (any partnership)
    years: list[int]
    #: the groups shown: total (if shown), then partnerships, countries, levels in order
    groups: list[OpenGroup]
    #: the groups left out for coming from fewer than MIN_PARTNERS partners
    suppressed: int

    def of(self, scope: str) -> list[OpenGroup]:
        return [g for g in self.groups if g.scope == scope]


def open_figures(report: AnnualReport, names: dict[str, str], years: list[int]) -> OpenFigures:
    """The report's groups anyone may see; the count of those left out."""
    every = [OpenGroup(TOTAL, "", "", report.total)]
    every += [
        OpenGroup(PARTNERSHIP, k, names.get(k, ""), report.partnerships[k])
        for k in sorted(report.partnerships)
    ]
    every += [OpenGroup(COUNTRY, k, "", report.countries[k]) for k in sorted(report.countries)]
    every += [OpenGroup(LEVEL, k, "", report.levels[k]) for k in level_order(report.levels)]
    shown = [g for g in every if not hidden(g.year)]
    # a year no commitment ran in has nothing to hide: its total is shown, all zeros
    suppressed = sum(1 for g in every if hidden(g.year))
    return OpenFigures(report.year, years, shown, suppressed)


#: the open figures as a table: one row per group shown
COLUMNS = (
    "year",
    "scope",
    "id",
    "name",
    *(s.reported_as for s in AMOUNTS),
    "commitments",
    "partners_reporting",
)


def open_rows(figures: OpenFigures) -> list[dict[str, object]]:
    return [
        {
            "year": figures.year,
            "scope": g.scope,
            "id": text_cell(g.id),
            "name": text_cell(g.name),
            **{s.reported_as: cell(s, getattr(g.year.figures, s.name)) for s in AMOUNTS},
            "commitments": g.year.commitments,
            "partners_reporting": g.year.partners_reporting,
        }
        for g in figures.groups
    ]
