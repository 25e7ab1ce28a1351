"""Dates that make every alert rule fire and resolve in the fault campaign, and the rules
restated apart from monitoring's code (the README's words), to say which alerts must be
active for a commitment at a given total and set of reported periods.

The campaign runs on the real clock, so a rule that depends on the date fires as soon as the
commitment is known and resolves when reports arrive:

- `running` commitments began 14 months ago and end in about 10: their milestone (due five
  months ago, before the months they report) is missed, the report of the month before
  last is overdue, and at the pace of no progress they are at risk. As their progress
  grows, the milestone is reached (missed resolves, achieved fires), the overdue month comes
  in and the forecast against the plan crosses the at-risk line, each at a round the world
  chooses (or never, for some). Their recent months lie after the milestone, so the
  forecast's best end is the total plus the best recent month's daily pace over the days
  left, whatever the target: a larger target is only further behind.
- `late` commitments ended three months ago: their target and milestone are missed and
  their last month overdue, until progress reaches them.
- `drop` commitments report one month only, always corrected upwards until their last
  report sets it to 0: their milestone and target are achieved mid-stream, and stay so at
  the end (achievements are informational: they fire once and never resolve).

Every date boundary is at least ten days from today, so a campaign that runs across
midnight decides the same."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

PLAIN, RUNNING, LATE, DROP = "plain", "running", "late", "drop"
#: monitoring's defaults (MONITORING_AT_RISK_TOLERANCE, MONITORING_AT_RISK_MIN_ELAPSED,
#: MONITORING_AT_RISK_RESOLVE_SHORT_PERCENT)
AT_RISK_TOLERANCE = 0.10
AT_RISK_MIN_ELAPSED = 0.25
AT_RISK_RESOLVE = 0.05


def month_start(day: date, back: int) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def month_end(day: date, back: int) -> date:
    """The last day of the month `back` months before `day`'s."""
    return month_start(day, back - 1) - timedelta(days=1)


def months(first: date, n: int) -> list[str]:
    return [f"{month_start(first, -i):%Y-%m}" for i in range(n)]


@dataclass(frozen=True)
class Dates:
    """A commitment's window, reporting grace, milestone due date and reported periods."""

    start: date
    deadline: date
    grace_days: int
    milestone_due: date
    periods: list[str]


def dated(kind: str, today: date) -> Dates:
    # the month before last becomes due (end + grace < today) ten days before today, and
    # last month twenty days or more after it
    grace = (today - month_end(today, 2)).days - 10
    if kind == RUNNING:
        start = month_start(today, 14)
        deadline = date(start.year + 2, start.month, 1) - timedelta(days=1)
        return Dates(
            start, deadline, grace, month_end(today, 5) - timedelta(days=10),
            months(month_start(today, 5), 4),
        )  # fmt: skip
    if kind == LATE:
        deadline = month_end(today, 3)
        return Dates(
            month_start(today, 17), deadline, grace, deadline - timedelta(days=30),
            months(month_start(today, 6), 4),
        )  # fmt: skip
    raise ValueError(kind)


def _begins(label: str) -> date:
    """The first day of a period `YYYY-MM` or `YYYY-Qn`."""
    year, part = label.split("-")
    month = (int(part[1]) - 1) * 3 + 1 if part.startswith("Q") else int(part)
    return date(int(year), month, 1)


def _window(start: date, deadline: date, monthly: bool) -> list[tuple[str, date]]:
    """(period, its last day) of every period overlapping the window."""
    step = 1 if monthly else 3
    first = month_start(start, (start.month - 1) % step)
    out = []
    back = 0
    while (begins := month_start(first, -back)) <= deadline:
        ends = month_start(begins, -step) - timedelta(days=1)
        label = f"{begins:%Y-%m}" if monthly else f"{begins.year}-Q{(begins.month - 1) // 3 + 1}"
        out.append((label, ends))
        back += step
    return out


@dataclass(frozen=True)
class Rules:
    """One commitment as the rules see it."""

    id: str
    monthly: bool
    start: date
    deadline: date
    grace_days: int
    milestone_due: date
    milestone: int
    target: int

    def fingerprint(self, rule: str, key: date | None = None) -> str:
        base = f"{rule}:commitment:{self.id}"
        return f"{base}:{key.isoformat()}" if key else base

    def active(
        self, total: int, reported: Mapping[str, int], today: date, at_risk_firing: bool = False
    ) -> dict[str, bool]:
        """fingerprint -> whether its rule holds at this total and these reported periods
        (period -> people trained); `at_risk_firing`: whether CommitmentAtRisk held before
        (its hysteresis)."""
        grace = timedelta(days=self.grace_days)
        window = _window(self.start, self.deadline, self.monthly)
        due = [(p, end) for p, end in window if end + grace < today]
        out = {
            self.fingerprint("MilestoneAchieved", self.milestone_due): total >= self.milestone,
            self.fingerprint("MilestoneMissed", self.milestone_due): (
                today > self.milestone_due + grace and total < self.milestone
            ),
            self.fingerprint("TargetAchieved"): total >= self.target,
            self.fingerprint("TargetMissed"): today > self.deadline + grace and total < self.target,
            self.fingerprint("CommitmentAtRisk"): self._at_risk(
                total, reported, due, today, at_risk_firing
            ),
        }
        if due:  # the rule speaks once a first period is due
            out[self.fingerprint("ReportingOverdue")] = due[-1][0] not in reported
        return out

    def _at_risk(
        self,
        total: int,
        reported: Mapping[str, int],
        due: list[tuple[str, date]],
        today: date,
        firing: bool = False,
    ) -> bool:
        """Before the deadline, once a quarter of the window is lived by the end of the latest
        period reported or due (at most today), the forecast against the plan falls more
        than 10% short at its best; once firing, it holds until less than 5% short.

        The plan runs straight from 0 at the start through the milestone to the target at
        the deadline, by whole days. A period's pace is what was reported for it over what
        the plan gives it; the forecast is the total plus the plan's rest (target - plan by
        then) at the fastest pace of the last 3 periods ended by then (periods the plan
        gives nothing are left out; none left: pace 1)."""
        ends = [end for p, end in self._window_ends() if p in reported] + [e for _, e in due[-1:]]
        as_of = min(today, max(ends)) if ends else self.start - timedelta(days=1)
        days = (self.deadline - self.start).days + 1
        lived = min(1.0, max(0.0, ((min(as_of, self.deadline) - self.start).days + 1) / days))
        last = [(p, end) for p, end in self._window_ends() if end <= as_of][-3:]
        paces = []
        for p, end in last:
            gives = self._plan(min(end, self.deadline)) - self._plan(_begins(p) - timedelta(1))
            if gives > 0:
                paces.append(reported.get(p, 0) / gives)
        best = total + max(paces, default=1.0) * max(0.0, self.target - self._plan(as_of))
        shortfall = (self.target - round(best, 6)) / self.target
        return (
            today <= self.deadline
            and total < self.target
            and lived >= AT_RISK_MIN_ELAPSED
            and (shortfall > AT_RISK_TOLERANCE or (firing and shortfall >= AT_RISK_RESOLVE))
        )

    def _plan(self, day: date) -> float:
        """People the plan expects by the end of `day`."""
        days = (self.deadline - self.start).days + 1
        lived = min(days, max(0, (day - self.start).days + 1))
        points = [(0, 0.0), (days, float(self.target))]
        if self.start <= self.milestone_due <= self.deadline:
            points.insert(1, ((self.milestone_due - self.start).days + 1, float(self.milestone)))
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            if x0 <= lived <= x1 and x1 > x0:
                return y0 + (y1 - y0) * (lived - x0) / (x1 - x0)
        return float(self.target) if lived > 0 else 0.0

    def _window_ends(self) -> list[tuple[str, date]]:
        return _window(self.start, self.deadline, self.monthly)


def informational(fingerprint: str) -> bool:
    """Achievements fire once per fingerprint and never resolve."""
    return fingerprint.split(":")[0] in ("MilestoneAchieved", "TargetAchieved")


def single_episode(states: list[bool], checkpoints: int) -> bool:
    """True if the rule holds in one stretch of rounds at most, and a stretch that neither
    starts at the first state nor lasts to the last spans at least `checkpoints` rounds:
    monitoring evaluates each batch, not each report, so only a stretch that contains a
    round where the campaign waits for monitoring is sure to be seen."""
    changes = [i for i in range(1, len(states)) if states[i] != states[i - 1]]
    if len(changes) <= 1:
        return True
    return len(changes) == 2 and states[changes[0]] and changes[1] - changes[0] >= checkpoints
