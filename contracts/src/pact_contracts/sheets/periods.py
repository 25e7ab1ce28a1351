"""Reporting periods as partners write them: a quarter `YYYY-Qn` or a month `YYYY-MM`."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

PERIOD = re.compile(r"^([0-9]{4})-(?:Q([1-4])|(0[1-9]|1[0-2]))$")


@dataclass(frozen=True, order=True)
class Period:
    """`index` is the quarter (1-4) when `quarterly`, else the month (1-12)."""

    year: int
    quarterly: bool
    index: int

    @classmethod
    def parse(cls, text: str) -> Period:
        match = PERIOD.match(text)
        if match is None:
            raise ValueError(f"{text!r} is not a quarter YYYY-Qn or a month YYYY-MM")
        if match[2]:
            return cls(int(match[1]), True, int(match[2]))
        return cls(int(match[1]), False, int(match[3]))

    @classmethod
    def containing(cls, day: date, cadence: str) -> Period:
        if cadence == "quarterly":
            return cls(day.year, True, (day.month - 1) // 3 + 1)
        return cls(day.year, False, day.month)

    def __str__(self) -> str:
        return (
            f"{self.year:04d}-Q{self.index}"
            if self.quarterly
            else f"{self.year:04d}-{self.index:02d}"
        )

    @property
    def start(self) -> date:
        return date(self.year, (self.index - 1) * 3 + 1 if self.quarterly else self.index, 1)

    @property
    def end(self) -> date:
        last_month = self.index * 3 if self.quarterly else self.index
        return date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    def next(self) -> Period:
        if self.index == (4 if self.quarterly else 12):
            return Period(self.year + 1, self.quarterly, 1)
        return Period(self.year, self.quarterly, self.index + 1)


def periods_between(first: date, last: date, cadence: str) -> list[Period]:
    """Every period of the cadence with at least one day in first..last, in order."""
    periods: list[Period] = []
    period = Period.containing(first, cadence)
    while period.start <= last:
        periods.append(period)
        period = period.next()
    return periods
