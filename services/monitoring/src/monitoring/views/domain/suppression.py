"""Who may read a group's figures. A group (a partnership, a country, a skill level) whose
commitments are those of fewer than MIN_PARTNERS partners, or whose figures come from fewer,
is suppressed for partners: one partner in it could tell another's figures, and a country
with one partner would show that partner's. The secretariat sees every group; totals count
every group, shown or not. Pure.

Partners are counted by the rollups' own attribution (rollups.contribution): those whose
commitments count toward the group, and those whose reported figures are attributed to it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from monitoring.core.domain.progress import CommitmentProgress
from monitoring.core.domain.rollups import contribution
from monitoring.views.domain.annual_report import AnnualReport, ScopeYear

#: the fewest partners a group's figures may come from to be shown to a partner
MIN_PARTNERS = 3


def suppressed(counted: int, figures_of: int) -> bool:
    """Whether a group is hidden from partners, given how many partners' commitments count
    in it and how many partners' figures it holds (none shows nothing of anyone)."""
    return any(0 < n < MIN_PARTNERS for n in (counted, figures_of))


def suppressed_scopes(progress: Iterable[CommitmentProgress]) -> set[str]:
    """The rollup keys (`country:DE`, ...) of the groups these commitments make that are
    hidden from partners."""
    counted: defaultdict[str, set[str]] = defaultdict(set)
    figures_of: defaultdict[str, set[str]] = defaultdict(set)
    for p in progress:
        for key, totals in contribution(p).items():
            counted[key].add(p.commitment.partner_id)
            if totals.figures_only():
                figures_of[key].add(p.commitment.partner_id)
    return {k for k, who in counted.items() if suppressed(len(who), len(figures_of[k]))}


def hidden(group: ScopeYear) -> bool:
    return suppressed(group.partners, group.partners_with_figures)


def _shown(groups: dict[str, ScopeYear]) -> dict[str, ScopeYear]:
    return {k: g for k, g in groups.items() if not hidden(g)}


def for_partners(report: AnnualReport) -> tuple[AnnualReport, int]:
    """The annual report as a partner reads it: without the partnerships, countries and
    levels that are suppressed in that year (their figures stay in the total), and how many
    groups were left out."""
    shown = replace(
        report,
        partnerships=_shown(report.partnerships),
        countries=_shown(report.countries),
        levels=_shown(report.levels),
    )
    before = len(report.partnerships) + len(report.countries) + len(report.levels)
    after = len(shown.partnerships) + len(shown.countries) + len(shown.levels)
    return shown, before - after
