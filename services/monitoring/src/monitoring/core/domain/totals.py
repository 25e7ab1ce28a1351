"""What a rollup sums (TOTALS), and its sums as one value (Totals).

Not compiled with the rest of the domain (scripts/compile_domain.py): mypyc does not compile
a `__getattr__` that returns an int, and Totals is read by name (`t.people_trained`)."""

from __future__ import annotations

import operator

from monitoring.core.domain.figures import AMOUNT_NAMES, METRIC_FIELDS
from monitoring.core.domain.model import Metric

#: What a rollup sums: every count and amount of the figures (figures.py, in their stored
#: units), then the commitments measured (active, achieved, missed) and those of them on track.
TOTALS = (*AMOUNT_NAMES, "commitments", "commitments_on_track")
INDEX = {name: i for i, name in enumerate(TOTALS)}
ZEROS = (0,) * len(TOTALS)


class Totals:
    """A rollup's sums, named as in TOTALS (`t.people_trained`); built positionally in that
    order or by name, missing ones 0. Values: the hot path adds hundreds of thousands."""

    __slots__ = ("values",)
    values: tuple[int, ...]

    def __init__(self, *values: int, **named: int) -> None:
        if len(values) == len(TOTALS) and not named:
            self.values = values
            return
        if len(values) > len(TOTALS):
            raise TypeError(f"Totals takes at most {len(TOTALS)} values: {', '.join(TOTALS)}")
        row = [*values, *ZEROS[len(values) :]]
        for name, value in named.items():
            if name not in INDEX:
                raise TypeError(f"Totals has no {name!r}; it has {', '.join(TOTALS)}")
            row[INDEX[name]] = value
        self.values = tuple(row)

    def __getattr__(self, name: str) -> int:
        if name not in INDEX:
            raise AttributeError(f"Totals has no {name!r}")
        value: int = self.values[INDEX[name]]
        return value

    def __add__(self, other: Totals) -> Totals:
        return Totals(*map(operator.add, self.values, other.values))

    def __sub__(self, other: Totals) -> Totals:
        return Totals(*map(operator.sub, self.values, other.values))

    def __bool__(self) -> bool:
        return any(self.values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Totals) and self.values == other.values

    def __hash__(self) -> int:
        return hash(self.values)

    def __repr__(self) -> str:
        given = ", ".join(f"{k}={v}" for k, v in zip(TOTALS, self.values, strict=True) if v)
        return f"Totals({given})"

    def as_dict(self) -> dict[str, int]:
        return dict(zip(TOTALS, self.values, strict=True))

    def figures_only(self) -> Totals:
        """The reported figures, without the commitment counts."""
        return Totals(*self.values[: len(AMOUNT_NAMES)])

    def value(self, metric: Metric) -> float:
        name, per_unit = METRIC_FIELDS[metric]
        return self.values[INDEX[name]] / per_unit
