"""Reporting periods: parsing, first and last days, granularity."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitoring.core.domain.marks import in_years
from monitoring.core.domain.periods import (
    Cadence,
    Granularity,
    InvalidPeriod,
    Period,
    period_names,
    periods_ended,
    periods_overlapping,
)


@pytest.mark.parametrize(
    ("text", "granularity", "start", "end"),
    [
        ("2026-Q1", Granularity.QUARTER, date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-Q2", Granularity.QUARTER, date(2026, 4, 1), date(2026, 6, 30)),
        ("2026-Q3", Granularity.QUARTER, date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-Q4", Granularity.QUARTER, date(2026, 10, 1), date(2026, 12, 31)),
        ("2026-01", Granularity.MONTH, date(2026, 1, 1), date(2026, 1, 31)),
        ("2028-02", Granularity.MONTH, date(2028, 2, 1), date(2028, 2, 29)),
        ("2026-02", Granularity.MONTH, date(2026, 2, 1), date(2026, 2, 28)),
        ("2026-12", Granularity.MONTH, date(2026, 12, 1), date(2026, 12, 31)),
        ("9999-Q4", Granularity.QUARTER, date(9999, 10, 1), date(9999, 12, 31)),
    ],
)
def test_periods_parse_with_their_first_and_last_day(
    text: str, granularity: Granularity, start: date, end: date
) -> None:
    period = Period.parse(text)
    assert (period.granularity, period.start, period.end) == (granularity, start, end)
    assert str(period) == text


@pytest.mark.parametrize(
    "text",
    [
        "2026-Q0",
        "2026-Q5",
        "2026-00",
        "2026-13",
        "2026-1",
        "26-Q1",
        "2026Q1",
        "0000-Q1",
        "2026-q1",
        " 2026-Q1",
        "2026-Q1 ",
        "",
    ],
)
def test_anything_else_is_refused_naming_both_forms(text: str) -> None:
    with pytest.raises(InvalidPeriod, match="YYYY-Qn nor a month YYYY-MM"):
        Period.parse(text)


def test_next_and_previous_cross_years() -> None:
    assert str(Period.parse("2026-Q4").next()) == "2027-Q1"
    assert str(Period.parse("2027-Q1").previous()) == "2026-Q4"
    assert str(Period.parse("2026-12").next()) == "2027-01"
    assert str(Period.parse("2027-01").previous()) == "2026-12"


def test_the_period_containing_a_day() -> None:
    assert str(Period.containing(date(2026, 8, 15), Granularity.QUARTER)) == "2026-Q3"
    assert str(Period.containing(date(2026, 8, 15), Granularity.MONTH)) == "2026-08"
    assert str(Period.containing(date(2026, 12, 31), Granularity.QUARTER)) == "2026-Q4"


def test_cadence_decides_granularity() -> None:
    assert Cadence.QUARTERLY.granularity is Granularity.QUARTER
    assert Cadence.MONTHLY.granularity is Granularity.MONTH


def test_periods_overlapping_a_window_include_partial_ones() -> None:
    quarters = periods_overlapping(date(2025, 2, 15), date(2025, 10, 1), Granularity.QUARTER)
    assert [str(p) for p in quarters] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    months = periods_overlapping(date(2025, 11, 30), date(2026, 1, 1), Granularity.MONTH)
    assert [str(p) for p in months] == ["2025-11", "2025-12", "2026-01"]
    assert Period.parse("2025-Q4").overlaps(date(2025, 12, 31), date(2026, 5, 1))
    assert not Period.parse("2025-Q4").overlaps(date(2026, 1, 1), date(2026, 5, 1))


@given(
    st.dates(date(2015, 1, 1), date(2030, 12, 31)),
    st.integers(0, 4000),
    st.sampled_from(list(Granularity)),
    st.dates(date(2014, 1, 1), date(2032, 12, 31)),
)
def test_the_periods_ended_by_a_day_are_those_a_walk_through_the_window_finds(
    first: date, days: int, granularity: Granularity, by: date
) -> None:
    last = first + timedelta(days=days)
    window = periods_overlapping(first, last, granularity)
    on_or_before = periods_ended(first, last, granularity, by)
    assert on_or_before == tuple(p for p in window if p.end <= by)
    assert periods_ended(first, last, granularity, by, before=True) == tuple(
        p for p in window if p.end < by
    )
    assert period_names(first, last, granularity) == tuple(str(p) for p in window)


@given(
    st.sets(
        st.sampled_from(
            [f"{y}-{m:02d}" for y in range(2016, 2027) for m in range(1, 13)]
            + [f"{y}-Q{q}" for y in range(2016, 2027) for q in range(1, 5)]
        )
    ),
    st.sets(st.sampled_from([str(y) for y in range(2015, 2028)] + ["2020-Q1", "2026-Q4"])),
)
def test_a_heads_periods_of_some_years_are_those_its_texts_begin_with(
    marks: set[str], years: set[str]
) -> None:
    """Whether the head is walked (few marks) or its years' sixteen possible periods are
    asked for (many), the same periods; labels other than a year's are no year."""
    held = dict.fromkeys(marks, 1.0)
    assert sorted(in_years(held, years)) == sorted(q for q in marks if q[:4] in years)


def test_a_ten_year_heads_periods_of_a_year_are_found_without_walking_it() -> None:
    every = [f"{y}-{m:02d}" for y in range(2016, 2027) for m in range(1, 13)]
    held = dict.fromkeys([*every, "2020-Q1", "2020-Q4", "2021-Q2"], 1.0)
    found = in_years(held, {"2020", "2020-Q4"})
    assert sorted(found) == [f"2020-{m:02d}" for m in range(1, 13)] + ["2020-Q1", "2020-Q4"]
