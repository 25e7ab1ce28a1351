"""Reporting periods: a quarter `YYYY-Qn` or a month `YYYY-MM`, with their first and last day."""

from __future__ import annotations

import bisect
import calendar
import functools
import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

_QUARTER = re.compile(r"^([0-9]{4})-Q([1-4])$")
_MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")


class Granularity(StrEnum):
    QUARTER = "quarter"
    MONTH = "month"

    @property
    def months(self) -> int:
        return 3 if self is Granularity.QUARTER else 1


class Cadence(StrEnum):
    """How often a commitment reports; each cadence reports periods of one granularity."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"

    @property
    def granularity(self) -> Granularity:
        return Granularity.QUARTER if self is Cadence.QUARTERLY else Granularity.MONTH


class InvalidPeriod(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    """`index` is the quarter (1-4) or the month (1-12) of `year`."""

    year: int
    granularity: Granularity
    index: int
    #: text, start and end once worked out: the rules ask for them of every period, every
    #: time (compiled, a cached_property would be worked out at every read)
    _text: str | None = field(init=False, repr=False, compare=False)
    _start: date | None = field(init=False, repr=False, compare=False)
    _end: date | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:  # not yet worked out (compiled, a default is not applied)
        object.__setattr__(self, "_text", None)
        object.__setattr__(self, "_start", None)
        object.__setattr__(self, "_end", None)

    @classmethod
    def parse(cls, text: str) -> Period:
        return _parse(text)

    @classmethod
    def containing(cls, day: date, granularity: Granularity) -> Period:
        if granularity is Granularity.QUARTER:
            return cls(day.year, granularity, (day.month - 1) // 3 + 1)
        return cls(day.year, granularity, day.month)

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """`YYYY-Qn` or `YYYY-MM` (kept: the rules ask for it of every period, every time)."""
        if (known := self._text) is not None:
            return known
        if self.granularity is Granularity.QUARTER:
            made = f"{self.year:04d}-Q{self.index}"
        else:
            made = f"{self.year:04d}-{self.index:02d}"
        object.__setattr__(self, "_text", made)
        return made

    @property
    def _first_month(self) -> int:
        return (self.index - 1) * 3 + 1 if self.granularity is Granularity.QUARTER else self.index

    @property
    def start(self) -> date:
        """The first day of the period."""
        if (known := self._start) is not None:
            return known
        made = date(self.year, self._first_month, 1)
        object.__setattr__(self, "_start", made)
        return made

    @property
    def end(self) -> date:
        """The last day of the period (inclusive)."""
        if (known := self._end) is not None:
            return known
        last_month = self._first_month + self.granularity.months - 1
        made = date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])
        object.__setattr__(self, "_end", made)
        return made

    def next(self) -> Period:
        last = 4 if self.granularity is Granularity.QUARTER else 12
        if self.index == last:
            return Period(self.year + 1, self.granularity, 1)
        return Period(self.year, self.granularity, self.index + 1)

    def previous(self) -> Period:
        last = 4 if self.granularity is Granularity.QUARTER else 12
        if self.index == 1:
            return Period(self.year - 1, self.granularity, last)
        return Period(self.year, self.granularity, self.index - 1)

    def overlaps(self, first: date, last: date) -> bool:
        return self.start <= last and self.end >= first


@functools.lru_cache(maxsize=4096)
def _parse(text: str) -> Period:
    """Periods are values, and the hot path parses the same few again and again."""
    for pattern, granularity in ((_QUARTER, Granularity.QUARTER), (_MONTH, Granularity.MONTH)):
        if (match := pattern.match(text)) and int(match[1]) >= 1:
            return Period(int(match[1]), granularity, int(match[2]))
    raise InvalidPeriod(f"period {text!r} is neither a quarter YYYY-Qn nor a month YYYY-MM")


def periods_overlapping(first: date, last: date, granularity: Granularity) -> list[Period]:
    """Every period of `granularity` that has at least one day in first..last, in order."""
    return list(_overlapping(first, last, granularity))


@functools.lru_cache(maxsize=1024)
def _overlapping(first: date, last: date, granularity: Granularity) -> tuple[Period, ...]:
    periods: list[Period] = []
    period = Period.containing(first, granularity)
    while period.start <= last:
        periods.append(period)
        period = period.next()
    return tuple(periods)


@functools.lru_cache(maxsize=1024)
def period_names(first: date, last: date, granularity: Granularity) -> tuple[str, ...]:
    """The texts of periods_overlapping's periods."""
    return tuple(p.text for p in _overlapping(first, last, granularity))


@functools.lru_cache(maxsize=1024)
def _ends(first: date, last: date, granularity: Granularity) -> tuple[date, ...]:
    return tuple(p.end for p in _overlapping(first, last, granularity))


def periods_ended(
    first: date, last: date, granularity: Granularity, by: date, *, before: bool = False
) -> tuple[Period, ...]:
    """The periods of first..last (as periods_overlapping) that end on `by` or earlier
    (earlier only, when `before`): a prefix, found by bisection rather than a walk through a
    window of ten years each time the rules run."""
    ends = _ends(first, last, granularity)
    count = bisect.bisect_left(ends, by) if before else bisect.bisect_right(ends, by)
    return _overlapping(first, last, granularity)[:count]
