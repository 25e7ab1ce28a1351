"""Progress summed per partner, partnership, country and skill level, kept up to date by
adding each commitment's change of contribution (after minus before).

Attribution to countries and levels: a report's breakdown where it has one; otherwise, when
the commitment names exactly one country (level), the whole figure goes there; otherwise it
is not attributed. Reports only break down people trained, so the other figures go to a
country (level) only when the commitment names exactly one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from .model import Figures, Metric
from .progress import CommitmentProgress

PARTNER, PARTNERSHIP, COUNTRY, LEVEL, MEMBERS = (
    "partner",
    "partnership",
    "country",
    "level",
    "members",
)


@dataclass(frozen=True)
class Totals:
    people_trained: int = 0
    people_reached: int = 0
    programmes_developed: int = 0
    investment_cents: int = 0
    #: measured commitments (active, achieved, missed) and those of them on track
    commitments: int = 0
    commitments_on_track: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def __sub__(self, other: Totals) -> Totals:
        return Totals(*(getattr(self, f.name) - getattr(other, f.name) for f in fields(self)))

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def value(self, metric: Metric) -> float:
        if metric is Metric.INVESTMENT_EUR:
            return self.investment_cents / 100
        return float(getattr(self, metric.value))


def rollup_key(kind: str, *parts: str) -> str:
    return ":".join((kind, *parts))


def members_key(partnership_id: str, metric: Metric) -> str:
    """Partnership targets count the metric over member commitments with that metric."""
    return rollup_key(MEMBERS, partnership_id, metric.value)


def _metric_only(figures: Figures, metric: Metric) -> Totals:
    name = "investment_cents" if metric is Metric.INVESTMENT_EUR else metric.value
    return Totals(**{name: getattr(figures, name)})


def _split(total: Figures, breakdown_of: str, named: tuple[str, ...]) -> dict[str, Totals]:
    """Totals per country (level) from the breakdowns of the commitment's periods."""
    breakdown: Mapping[str, int] = getattr(total, breakdown_of)
    single = named[0] if len(named) == 1 else None
    out: dict[str, Totals] = {}
    for key, trained in breakdown.items():
        out[key] = Totals(people_trained=trained)
    unbroken = total.people_trained - sum(breakdown.values())
    if single is not None:
        out[single] = out.get(single, Totals()) + Totals(
            people_trained=unbroken,
            people_reached=total.people_reached,
            programmes_developed=total.programmes_developed,
            investment_cents=total.investment_cents,
        )
    return out


def contribution(progress: CommitmentProgress | None) -> dict[str, Totals]:
    """What one commitment adds to every rollup it counts toward."""
    if progress is None:
        return {}
    c = progress.commitment
    measured = c.status.measured
    counted = Totals(commitments=int(measured), commitments_on_track=int(bool(progress.on_track)))
    out: dict[str, Totals] = {}

    def add(key: str, totals: Totals) -> None:
        out[key] = out.get(key, Totals()) + totals

    # Breakdowns must be split per period: a period without one is "unbroken" as a whole.
    for entry in progress.periods.values():
        f = entry.figures
        for kind, breakdown_of, named in (
            (COUNTRY, "by_country", c.countries),
            (LEVEL, "by_level", c.levels),
        ):
            for key, totals in _split(f, breakdown_of, named).items():
                add(rollup_key(kind, key), totals)
    whole = progress.totals
    everything = Totals(
        whole.people_trained,
        whole.people_reached,
        whole.programmes_developed,
        whole.investment_cents,
    )
    add(rollup_key(PARTNER, c.partner_id), everything + counted)
    add(rollup_key(PARTNERSHIP, c.partnership_id), everything + counted)
    add(members_key(c.partnership_id, c.target.metric), _metric_only(whole, c.target.metric))
    for country in c.countries:
        add(rollup_key(COUNTRY, country), counted)
    for level in c.levels:
        add(rollup_key(LEVEL, level), counted)
    return out


def difference(after: Mapping[str, Totals], before: Mapping[str, Totals]) -> dict[str, Totals]:
    """after - before, without the keys that do not change."""
    out: dict[str, Totals] = {}
    for key in after.keys() | before.keys():
        delta = after.get(key, Totals()) - before.get(key, Totals())
        if delta:
            out[key] = delta
    return out


def merge(into: dict[str, Totals], more: Mapping[str, Totals]) -> None:
    for key, delta in more.items():
        total = into.get(key, Totals()) + delta
        if total:
            into[key] = total
        else:
            into.pop(key, None)
