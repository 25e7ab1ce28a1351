"""The forecast against the plan (pure): where a target is expected to be on a given day,
and where it will be at the deadline if the recent pace, measured against that plan, goes on.

- The plan: the expected path runs from the baseline at the start through every milestone
  (due inside the window) to the target at the deadline, piecewise linear in whole days
  (a day counts once it has ended, as in `TargetDefinition.elapsed_fraction`). Without
  milestones it is the straight line from the baseline to the target.
- The pace of a period: what was reported for it over what the plan expected in it
  (1.0: on plan). The recent pace is that of the last `RECENT` periods ended by `as_of`
  (a period not reported counts 0); where no series is known (a partnership target), the
  pace of the whole history so far.
- The forecast: progress now plus the rest of the plan (target - plan now) times the pace
  (earned-value style: a back-loaded plan followed exactly forecasts its target). Its range
  runs from the slowest to the fastest of the recent periods' paces; its central value is
  their pooled pace (reported over planned, summed). Both ends only grow as reports add to
  progress, so a commitment crossing the at-risk line crosses it once.
- The pace needed: what is left to the target over the months left from `as_of` to the
  deadline.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from monitoring.core.domain.model import TargetDefinition
from monitoring.core.domain.periods import Granularity, periods_ended

#: how many of the latest periods make the recent pace
RECENT = 3
#: the days of an average month
MONTH_DAYS = 365.25 / 12


def _day(t: TargetDefinition, day: date) -> int:
    """Whole days of the window lived by the end of `day` (0..window_days)."""
    return min(t.window_days, max(0, (day - t.start_date).days + 1))


@functools.lru_cache(maxsize=4096)
def plan_points(t: TargetDefinition) -> tuple[tuple[int, float], ...]:
    """(days lived, value expected) from the start to the deadline, in order (a definition
    is immutable: its plan is worked out once, not at each day asked about)."""
    inside = sorted(
        (m for m in t.milestones if t.start_date <= m.due_date <= t.deadline),
        key=lambda m: m.due_date,
    )
    return (
        (0, t.baseline),
        *((_day(t, m.due_date), float(m.value)) for m in inside),
        (t.window_days, t.target_value),
    )


def planned(t: TargetDefinition, day: date) -> float:
    """The value the plan expects by the end of `day`."""
    x = _day(t, day)
    points = plan_points(t)
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if x0 <= x <= x1 and x1 > x0:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[0][1] if x <= 0 else t.target_value


def recent_periods(
    t: TargetDefinition,
    granularity: Granularity,
    reported: Mapping[str, float],
    as_of: date,
    count: int = RECENT,
) -> list[tuple[float, float]]:
    """(reported, planned) of the last `count` periods of the window ended by `as_of`."""
    return [
        (reported.get(name, 0.0), plan) for name, plan in _recent_plan(t, granularity, as_of, count)
    ]


@functools.lru_cache(maxsize=4096)
def _recent_plan(
    t: TargetDefinition, granularity: Granularity, as_of: date, count: int
) -> tuple[tuple[str, float], ...]:
    """(name, planned) of the last `count` periods ended by `as_of`: the same for every
    evaluation of a definition on a day, whatever was reported."""
    ended = periods_ended(t.start_date, t.deadline, granularity, as_of)[-count:]
    return tuple(
        (str(p), planned(t, min(p.end, t.deadline)) - planned(t, p.start - timedelta(days=1)))
        for p in ended
    )


@dataclass(frozen=True)
class Forecast:
    as_of: date
    #: what the plan expects by `as_of`
    expected_now: float
    #: the value at the deadline: at the slowest, pooled and fastest recent pace
    low: float
    central: float
    high: float
    #: what is left to the target per month from `as_of` to the deadline
    needed_per_month: float


def forecast(
    t: TargetDefinition,
    actual: float,
    as_of: date,
    recent: Sequence[tuple[float, float]] | None = None,
) -> Forecast:
    """`recent`: (reported, planned) of the latest periods (`recent_periods`); None: the
    whole history is one period."""
    expected_now = planned(t, as_of)
    if recent is None:
        recent = [(actual - t.baseline, expected_now - t.baseline)]
    measured = [(a, p) for a, p in recent if p > 0]
    paces = [a / p for a, p in measured] or [1.0]  # the plan expects nothing: no evidence
    pooled = (
        sum((a for a, _ in measured), 0.0) / sum((p for _, p in measured), 0.0) if measured else 1.0
    )
    rest = max(0.0, t.target_value - expected_now)
    months_left = max(1, (t.deadline - as_of).days) / MONTH_DAYS

    def at(pace: float) -> float:  # to a millionth: float noise decides no alert
        return round(actual + pace * rest, 6)

    return Forecast(
        as_of,
        expected_now,
        at(min(paces)),
        at(pooled),
        at(max(paces)),
        max(0.0, t.target_value - actual) / months_left,
    )
