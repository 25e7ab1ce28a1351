"""What a commitment's head keeps of each reported period (its mark), and the marks read as
the metric by period. Pure."""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterator, Mapping

from monitoring.core.domain.periods import Period

#: A period's mark: [its revision, the commitment's metric in it] (enough for the rules, the
#: series and the revision rule). A list, as the head's document holds it: a head of years of
#: monthly periods is read without building an object per period (120 tuples made from their
#: lists cost about 85 µs a head)
Mark = list[float]
REVISION, VALUE = 0, 1


class MarkValues(Mapping[str, float]):
    """A head's marks as the metric by period, read through (the rules ask for the last few
    of a head's hundreds at every evaluation)."""

    __slots__ = ("_marks",)

    def __init__(self, marks: Mapping[str, Mark]) -> None:
        self._marks = marks

    def __getitem__(self, period: str) -> float:
        return self._marks[period][VALUE]

    def __iter__(self) -> Iterator[str]:
        return iter(self._marks)

    def __len__(self) -> int:
        return len(self._marks)


def latest(marks: Mapping[str, Mark]) -> Period | None:
    """The latest period marked (a head of ten years marks 120)."""
    if not marks:
        return None
    quarters = "".join(marks).count("Q")  # one per quarter's text, none in a month's
    if quarters in (0, len(marks)):  # one granularity: the text sorts as time does
        return Period.parse(max(marks))
    return max((Period.parse(p) for p in marks), key=lambda p: p.start)


def later(last: Period | None, text: str) -> Period:
    """The later of the latest period marked and the period of `text`."""
    period = Period.parse(text)
    return period if last is None or period.start > last.start else last


@functools.lru_cache(maxsize=4096)
def _names_in(year: str) -> tuple[str, ...]:
    """Every period a year can hold: its months and its quarters."""
    return (*(f"{year}-{m:02d}" for m in range(1, 13)), *(f"{year}-Q{q}" for q in range(1, 5)))


def in_years(marks: Mapping[str, object], years: Collection[str]) -> list[str]:
    """The periods among `marks` of these years (`YYYY` texts; other texts are ignored): a
    head of ten years is asked for its sixteen possible periods a year rather than walked."""
    texts = [y for y in years if len(y) == 4]
    if len(marks) <= 16 * len(texts):  # 12 months and 4 quarters a year
        return [q for q in marks if q[:4] in texts]
    return [q for year in texts for q in _names_in(year) if q in marks]
