"""The figures a progress report carries, declared once: the fields of `Figures` below.

Each field says what kind of figure it is (a count, money or a breakdown of people trained),
which field of the report carries it, and what it means. Everything else follows from this
declaration: storage (adapters/documents.py), the contract's mapping (adapters/report_codec.py,
which refuses to start on a report field not declared here), sums, rollup totals, the annual
report (JSON and CSV) and the HTTP answers. To add a figure, add it to the contract
(pact_contracts/progress.py) and one line here. Pure Python.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    COUNT = "count"  # a whole number, summed
    MONEY = "money"  # euros as reported; kept in whole cents so that sums are exact
    BREAKDOWN = "breakdown"  # people trained per key (a level, a country, ...), summed per key


@dataclass(frozen=True)
class FigureSpec:
    #: the field of Figures and of stored documents (`investment_cents`)
    name: str
    kind: Kind
    #: the field of the progress report, of the HTTP answers and of the CSV (`investment_eur`)
    reported_as: str
    description: str
    #: breakdowns: the rollup scope their keys are (rollups.COUNTRY, LEVEL); None: summed only
    scope: str | None = None
    #: breakdowns: the count they break down (the contract checks that they sum to it)
    of: str = ""

    def shown(self, stored: int | Mapping[str, int]) -> float | int | Mapping[str, int]:
        """The stored value in the unit reports and answers use (cents -> euros); counts
        and breakdowns (people per key) as stored."""
        if self.kind is Kind.MONEY and isinstance(stored, int):
            return stored / 100
        return stored

    def stored(self, reported: float | int | None) -> int:
        """A reported value (None: not given) in the unit kept (euros -> whole cents)."""
        if self.kind is Kind.MONEY:
            return round((reported or 0) * 100)
        return int(reported or 0)


_SPEC = "figure"


def count(description: str) -> Any:
    return field(default=0, metadata={_SPEC: (Kind.COUNT, None, description, None, "")})


def money(reported_as: str, description: str) -> Any:
    return field(default=0, metadata={_SPEC: (Kind.MONEY, reported_as, description, None, "")})


def breakdown(description: str, scope: str | None = None, of: str = "people_trained") -> Any:
    said = (Kind.BREAKDOWN, None, description, scope, of)
    return field(default_factory=dict, metadata={_SPEC: said})


@dataclass(frozen=True)
class Figures:
    """One period's figures, or a sum of them: the declaration of every figure."""

    people_trained: int = count("People up- or reskilled.")
    people_reached: int = count("People reached by promotion and dissemination.")
    programmes_developed: int = count("Training programmes developed or updated.")
    investment_cents: int = money("investment_eur", "Euros invested in training.")
    people_placed_in_jobs: int = count("People who entered a digital job after the programme.")
    new_entrants: int = count("People from outside the digital sector who started a programme.")
    certificates_issued: int = count("Certificates issued.")
    by_level: Mapping[str, int] = breakdown("People trained by digital skill level.", "level")
    by_country: Mapping[str, int] = breakdown("People trained by country.", "country")
    by_gender: Mapping[str, int] = breakdown("People trained, where reports break it down.")
    people_placed_in_jobs_by_level: Mapping[str, int] = breakdown(
        "People placed in digital jobs by level.", "level", "people_placed_in_jobs"
    )
    people_placed_in_jobs_by_country: Mapping[str, int] = breakdown(
        "People placed in digital jobs by country.", "country", "people_placed_in_jobs"
    )
    people_placed_in_jobs_by_gender: Mapping[str, int] = breakdown(
        "People placed in digital jobs by gender.", None, "people_placed_in_jobs"
    )
    new_entrants_by_level: Mapping[str, int] = breakdown(
        "New entrants by level.", "level", "new_entrants"
    )
    new_entrants_by_country: Mapping[str, int] = breakdown(
        "New entrants by country.", "country", "new_entrants"
    )
    new_entrants_by_gender: Mapping[str, int] = breakdown(
        "New entrants by gender.", None, "new_entrants"
    )
    certificates_issued_by_level: Mapping[str, int] = breakdown(
        "Certificates issued by level.", "level", "certificates_issued"
    )
    certificates_issued_by_country: Mapping[str, int] = breakdown(
        "Certificates issued by country.", "country", "certificates_issued"
    )
    certificates_issued_by_gender: Mapping[str, int] = breakdown(
        "Certificates issued by gender.", None, "certificates_issued"
    )

    def value(self, metric: str) -> float:
        """A target metric (named as reports name it) in the unit reports use."""
        name, per_unit = METRIC_FIELDS[metric]
        value: int = getattr(self, name)
        return value / per_unit


def _spec(name: str, metadata: Mapping[str, Any]) -> FigureSpec:
    kind, reported_as, description, scope, of = metadata[_SPEC]
    return FigureSpec(name, kind, reported_as or name, description, scope, of)


#: every figure, in declaration order
FIGURES: tuple[FigureSpec, ...] = tuple(_spec(f.name, f.metadata) for f in fields(Figures))
#: counts and money: what sums and rollups add up, in this order
AMOUNTS = tuple(s for s in FIGURES if s.kind is not Kind.BREAKDOWN)
BREAKDOWNS = tuple(s for s in FIGURES if s.kind is Kind.BREAKDOWN)
AMOUNT_NAMES = tuple(s.name for s in AMOUNTS)
BREAKDOWN_NAMES = tuple(s.name for s in BREAKDOWNS)
BY_REPORTED_NAME = {s.reported_as: s for s in FIGURES}
#: a figure named as reports name it -> (its field, stored units per reported unit)
METRIC_FIELDS = {s.reported_as: (s.name, 100 if s.kind is Kind.MONEY else 1) for s in AMOUNTS}
if FIGURES != AMOUNTS + BREAKDOWNS:  # Figures is built positionally on the hot path
    raise TypeError("declare the counts and money of Figures before its breakdowns")
#: what by_level, by_country and by_gender break down; others name theirs (FigureSpec.of)
BROKEN_DOWN = "people_trained"
if wrong := [s.name for s in BREAKDOWNS if s.of not in AMOUNT_NAMES]:
    raise TypeError(f"breakdowns {wrong} break down no count of Figures")


def _getter(names: tuple[str, ...]) -> Callable[[Figures], tuple[Any, ...]]:
    if len(names) == 1:
        return lambda f: (getattr(f, names[0]),)
    return operator.attrgetter(*names)


#: a Figures' amounts (breakdowns) as a tuple, in AMOUNTS (BREAKDOWNS) order
amounts_of: Callable[[Figures], tuple[int, ...]] = _getter(AMOUNT_NAMES)
breakdowns_of: Callable[[Figures], tuple[Mapping[str, int], ...]] = _getter(BREAKDOWN_NAMES)


def figures(amounts: Iterable[int], breakdowns: Iterable[Mapping[str, int]]) -> Figures:
    """Figures from its amounts and breakdowns, in AMOUNTS and BREAKDOWNS order."""
    return Figures(*amounts, *breakdowns)  # type: ignore[arg-type]


def sum_figures(items: Iterable[Figures]) -> Figures:
    every = list(items)
    if not every:
        return Figures()
    sums = map(sum, zip(*map(amounts_of, every)))  # noqa: B905 (as many as AMOUNTS each)
    keyed: list[dict[str, int]] = [{} for _ in BREAKDOWNS]
    for breakdowns in map(breakdowns_of, every):
        # plain dicts, not Counter.update: the hot path sums every commitment several times
        for into, more in zip(keyed, breakdowns):  # noqa: B905 (as many as BREAKDOWNS)
            for key, value in more.items():
                into[key] = into.get(key, 0) + value
    return Figures(*sums, *keyed)  # type: ignore[arg-type]


def without_zeros(f: Figures) -> Figures:
    """The same figures without breakdown keys whose count is 0 (the normal form of sums
    kept by adding and taking away)."""
    kept = [{k: v for k, v in b.items() if v} for b in breakdowns_of(f)]
    return Figures(*amounts_of(f), *kept)  # type: ignore[arg-type]


def changed_figures(
    total: Figures, replaced: Iterable[tuple[Figures | None, Figures | None]]
) -> Figures:
    """`total` - old + new for each (old, new) replacement (either may be None), without
    zero breakdown keys: a running sum kept as periods' figures are replaced."""
    # the total's keys copied as they are, once (a running total holds many; a period few)
    sums = list(amounts_of(total))
    keyed: list[dict[str, int]] = [dict(b) for b in breakdowns_of(total)]
    for old, new in replaced:
        for sign, f in ((-1, old), (1, new)):
            if f is None:
                continue
            for i, v in enumerate(amounts_of(f)):
                sums[i] += sign * v
            for into, more in zip(keyed, breakdowns_of(f)):  # noqa: B905 (as many as BREAKDOWNS)
                for key, value in more.items():
                    into[key] = into.get(key, 0) + sign * value
    return Figures(*sums, *({k: v for k, v in b.items() if v} for b in keyed))  # type: ignore[arg-type]
