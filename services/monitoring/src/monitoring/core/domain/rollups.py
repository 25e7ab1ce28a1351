"""Progress summed per partner, partnership, country and skill level, kept up to date by
adding each commitment's change of contribution (after minus before).

Attribution to countries and levels: a report's breakdown where it has one; otherwise, when
the commitment names exactly one country (level), the whole figure goes there; otherwise it
is not attributed. Reports only break down people trained, so the other figures go to a
country (level) only when the commitment names exactly one.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass, fields

from monitoring.core.domain.model import Figures, Metric
from monitoring.core.domain.progress import CommitmentProgress

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

    # Field by field through one attrgetter: the hot path adds hundreds of thousands of these.
    def __add__(self, other: Totals) -> Totals:
        return Totals(*map(operator.add, _values(self), _values(other)))

    def __sub__(self, other: Totals) -> Totals:
        return Totals(*map(operator.sub, _values(self), _values(other)))

    def __bool__(self) -> bool:
        return any(_values(self))

    def as_dict(self) -> dict[str, int]:
        return dict(zip(_FIELDS, _values(self), strict=True))

    def value(self, metric: Metric) -> float:
        if metric is Metric.INVESTMENT_EUR:
            return self.investment_cents / 100
        return float(getattr(self, metric.value))


_FIELDS = tuple(f.name for f in fields(Totals))
_values = operator.attrgetter(*_FIELDS)


def rollup_key(kind: str, *parts: str) -> str:
    return ":".join((kind, *parts))


def members_key(partnership_id: str, metric: Metric) -> str:
    """Partnership targets count the metric over member commitments with that metric."""
    return rollup_key(MEMBERS, partnership_id, metric.value)


def _metric_only(figures: Figures, metric: Metric) -> Totals:
    name = "investment_cents" if metric is Metric.INVESTMENT_EUR else metric.value
    return Totals(**{name: getattr(figures, name)})


def contribution(progress: CommitmentProgress | None) -> dict[str, Totals]:
    """What one commitment adds to every rollup it counts toward."""
    if progress is None:
        return {}
    c = progress.commitment
    # Summed in plain lists (Totals' field order), made Totals at the end: the hot path runs
    # this twice per commitment it touches.
    rows: dict[str, list[int]] = {}

    def row(key: str) -> list[int]:
        found = rows.get(key)
        if found is None:
            found = rows[key] = [0, 0, 0, 0, 0, 0]
        return found

    # Breakdowns must be split per period: a period without one is "unbroken" as a whole.
    # A breakdown's keys get its people trained; when the commitment names exactly one
    # country (level), that one also gets what the breakdown leaves out, and the other figures.
    for entry in progress.periods.values():
        f = entry.figures
        for kind, breakdown, named in (
            (COUNTRY, f.by_country, c.countries),
            (LEVEL, f.by_level, c.levels),
        ):
            for key, trained in breakdown.items():
                row(rollup_key(kind, key))[0] += trained
            if len(named) == 1:
                single = row(rollup_key(kind, named[0]))
                single[0] += f.people_trained - sum(breakdown.values())
                single[1] += f.people_reached
                single[2] += f.programmes_developed
                single[3] += f.investment_cents
    whole = progress.totals
    measured, on_track = int(c.status.measured), int(bool(progress.on_track))
    for key in (rollup_key(PARTNER, c.partner_id), rollup_key(PARTNERSHIP, c.partnership_id)):
        r = row(key)
        r[0] += whole.people_trained
        r[1] += whole.people_reached
        r[2] += whole.programmes_developed
        r[3] += whole.investment_cents
        r[4] += measured
        r[5] += on_track
    metric = c.target.metric
    name = "investment_cents" if metric is Metric.INVESTMENT_EUR else metric.value
    row(members_key(c.partnership_id, metric))[_FIELDS.index(name)] += getattr(whole, name)
    for key in [rollup_key(COUNTRY, x) for x in c.countries] + [
        rollup_key(LEVEL, x) for x in c.levels
    ]:
        r = row(key)
        r[4] += measured
        r[5] += on_track
    return {key: Totals(*r) for key, r in rows.items()}


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
