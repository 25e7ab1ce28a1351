"""Dates that make every alert rule fire and resolve in the fault campaign, and the rules
restated apart from monitoring's code (the README's words), to say which alerts must be
active for a commitment at a given total and set of reported periods.

The campaign runs on the real clock, so a rule that depends on the date fires as soon as the
commitment is known and resolves when reports arrive:

- `running` commitments began 14 months ago and end in about 10: their milestone (due two
  months ago) is missed, the report of the month before last is overdue, and at the pace of
  no progress they are at risk. As their progress grows, the milestone is reached (missed
  resolves, achieved fires), the overdue month comes in and the projection crosses the
  at-risk line, each at a round the world chooses (or never, for some).
- `late` commitments ended three months ago: their target and milestone are missed and
  their last month overdue, until progress reaches them.
- `drop` commitments report one month only, always corrected upwards until their last
  report sets it to 0: their milestone and target are achieved mid-stream, and stay so at
  the end (achievements are informational: they fire once and never resolve).

Every date boundary is at least ten days from today, so a campaign that runs across
midnight decides the same."""

from __future__ import annotations

from collections.abc import Iterable
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
            start, deadline, grace, month_end(today, 2) - timedelta(days=10),
            months(month_start(today, 5), 4),
        )  # fmt: skip
    if kind == LATE:
        deadline = month_end(today, 3)
        return Dates(
            month_start(today, 17), deadline, grace, deadline - timedelta(days=30),
            months(month_start(today, 6), 4),
        )  # fmt: skip
    raise ValueError(kind)


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
        self, total: int, reported: Iterable[str], today: date, at_risk_firing: bool = False
    ) -> dict[str, bool]:
        """fingerprint -> whether its rule holds at this total and these reported periods;
        `at_risk_firing`: whether CommitmentAtRisk held before (its hysteresis)."""
        grace = timedelta(days=self.grace_days)
        reported = set(reported)
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
        reported: set[str],
        due: list[tuple[str, date]],
        today: date,
        firing: bool = False,
    ) -> bool:
        """Before the deadline, once a quarter of the window is lived by the end of the latest
        period reported or due (at most today), the pace so far falls more than 10% short;
        once firing, it holds until the pace falls less than 5% short."""
        ends = [end for p, end in self._window_ends() if p in reported] + [e for _, e in due[-1:]]
        as_of = min(today, max(ends)) if ends else self.start - timedelta(days=1)
        days = (self.deadline - self.start).days + 1
        lived = min(1.0, max(0.0, ((min(as_of, self.deadline) - self.start).days + 1) / days))
        projected = total / lived if lived > 0 else 0.0
        shortfall = (self.target - projected) / self.target
        return (
            today <= self.deadline
            and total < self.target
            and lived >= AT_RISK_MIN_ELAPSED
            and (shortfall > AT_RISK_TOLERANCE or (firing and shortfall >= AT_RISK_RESOLVE))
        )

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
