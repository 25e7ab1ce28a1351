"""Which groups a partner may read (views/domain/suppression.py)."""

from __future__ import annotations

import pytest

from monitoring.views.domain.annual_report import AnnualReport, ScopeYear
from monitoring.views.domain.suppression import MIN_PARTNERS, for_partners, suppressed


@pytest.mark.parametrize(
    ("counted", "figures_of", "hidden"),
    [
        (0, 0, False),  # nobody's figures: nothing to hide
        (1, 0, True),
        (2, 2, True),
        (3, 3, False),
        (3, 1, True),  # three partners' commitments, one partner's figures
        (3, 0, False),  # three partners' commitments, no figures yet
        (5, 2, True),
    ],
)
def test_a_group_is_hidden_below_three_partners(
    counted: int, figures_of: int, hidden: bool
) -> None:
    assert MIN_PARTNERS == 3
    assert suppressed(counted, figures_of) is hidden


def group(*partners: str) -> ScopeYear:
    return ScopeYear(partners=len(set(partners)), partners_with_figures=len(set(partners)))


def test_the_annual_report_for_partners_keeps_its_total_and_the_groups_of_three() -> None:
    total = group("a", "b", "c", "d")
    report = AnnualReport(
        2026,
        total=total,
        partnerships={"big": group("a", "b", "c"), "solo": group("d")},
        countries={"DE": group("a", "b", "c"), "PT": group("d"), "IT": group("a", "b")},
        levels={"basic": group("d")},
    )
    shown, left_out = for_partners(report)
    assert (list(shown.partnerships), list(shown.countries), list(shown.levels)) == (
        ["big"],
        ["DE"],
        [],
    )
    assert shown.total is total and left_out == 4
    assert list(report.countries) == ["DE", "PT", "IT"]  # the secretariat's, untouched
