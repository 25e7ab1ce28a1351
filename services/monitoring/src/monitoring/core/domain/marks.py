"""What a commitment's head keeps of each reported period (its mark), and the marks read as
the metric by period. Pure."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

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
