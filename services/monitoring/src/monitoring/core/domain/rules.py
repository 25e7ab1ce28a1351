"""The alert rules: pure functions of (definition, progress, today, config) -> conditions.

Each rule gives a Condition whether or not it holds (`active`), so that a resolution can say
what changed. All rules depend on the date only, never on the time of day.

- MilestoneMissed (warning): once a milestone's due date plus the reporting grace has
  passed (its reports are due by then), progress is below it.
- MilestoneAchieved (info): progress reached a milestone's value.
- TargetMissed (critical): once the deadline plus the reporting grace has passed, progress
  is below the target.
- TargetAchieved (info): progress reached the target.
- CommitmentAtRisk (warning): before the deadline, once `at_risk_min_elapsed` of the window
  has passed, the forecast against the plan (forecast.py: the recent pace measured against
  the milestones' path) falls short of the target, even at the upper end of its range, by
  more than `at_risk_tolerance` of the target; its text says the monthly pace now needed.
- ReportingOverdue (warning; commitments only): no report for the latest period of the
  commitment's window that ended more than grace_days ago.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Sequence
from datetime import date, timedelta

from monitoring.core.domain.conditions import (
    OFF_TRACK,
    AlertConfig,
    Condition,
    Rule,
    Subject,
    SubjectType,
)
from monitoring.core.domain.forecast import forecast, recent_periods
from monitoring.core.domain.model import (
    Commitment,
    CommitmentStatus,
    Metric,
    Milestone,
    PartnershipTarget,
    TargetDefinition,
    is_measured,
)
from monitoring.core.domain.periods import Period, period_names, periods_ended
from monitoring.core.domain.progress import CommitmentProgress
from monitoring.core.domain.wording import amount, share


@functools.lru_cache(maxsize=65_536)  # by its fields: cheaper to hash than the milestone
def _named(due: date, value: float, metric: Metric) -> tuple[str, str]:
    """What a milestone's messages begin with, and its key."""
    return f"Milestone of {amount(value, metric)} due {due}", due.isoformat()


def milestone_conditions(
    m: Milestone,
    metric: Metric,
    actual: float,
    today: date,
    grace: timedelta = timedelta(0),
) -> list[Condition]:
    """Missed only once the reports for the periods up to the due date are due too."""
    what, key = _named(m.due_date, m.value, metric)
    reached = actual >= m.value
    is_missed = not reached and today > m.due_date + grace

    def achieved() -> str:
        return f"{what} reached: {actual:,.0f} ({share(actual, m.value)})."

    def missed() -> str:
        if reached:
            return achieved()
        how = "missed:" if is_missed else "is not due yet:"
        return f"{what} {how} {actual:,.0f} reached ({share(actual, m.value)})."

    return [
        Condition(Rule.MILESTONE_MISSED, is_missed, m.value, actual, m.due_date, missed, key),
        Condition(Rule.MILESTONE_ACHIEVED, reached, m.value, actual, m.due_date, achieved, key),
    ]


def target_conditions(
    t: TargetDefinition, actual: float, today: date, grace: timedelta = timedelta(0)
) -> list[Condition]:
    """Missed only once the report of the last period is due too (deadline + grace)."""
    reached = actual >= t.target_value
    missed = today > t.deadline + grace and not reached

    def said(how: str) -> Callable[[], str]:
        def text() -> str:
            what = f"Target of {amount(t.target_value, t.metric)} due {t.deadline}"
            return f"{what}{how} {actual:,.0f} reached ({share(actual, t.target_value)})."

        return text

    return [
        Condition(
            Rule.TARGET_MISSED,
            missed,
            t.target_value,
            actual,
            t.deadline,
            said(" missed:" if missed else ":"),
        ),
        Condition(
            Rule.TARGET_ACHIEVED, reached, t.target_value, actual, t.deadline, said(" reached:")
        ),
    ]


def projection(t: TargetDefinition, actual: float, as_of: date) -> float:
    """Where progress ends at the deadline if it goes on at its pace from start to `as_of`."""
    lived = t.elapsed_fraction(as_of)
    if lived <= 0:
        return t.baseline
    return t.baseline + (actual - t.baseline) / lived


def at_risk_condition(
    t: TargetDefinition,
    actual: float,
    today: date,
    as_of: date,
    config: AlertConfig,
    firing: bool = False,
    recent: Sequence[tuple[float, float]] | None = None,
) -> Condition:
    """The forecast against the plan (forecast.py; `recent`: the latest periods' reported
    and planned values, None: the whole history): fires when even the upper end of its
    range falls past `at_risk_tolerance` short of the target; once `firing`, holds until
    less than `at_risk_resolve_tolerance` short (hysteresis: a figure bouncing around the
    line is one episode)."""
    lived = t.elapsed_fraction(as_of)
    f = forecast(t, actual, as_of, recent)
    shortfall = (t.target_value - f.high) / t.target_value
    active = (
        today <= t.deadline
        and actual < t.target_value
        and lived >= config.at_risk_min_elapsed
        and (
            shortfall > config.at_risk_tolerance
            or (firing and shortfall >= config.at_risk_resolve_tolerance)
        )
    )

    def message() -> str:
        reach = (
            f"{shortfall:.0%} short of the target of {t.target_value:,.0f} at best"
            if round(shortfall, 2) > 0
            else f"the target of {t.target_value:,.0f} within reach"
        )
        return (
            f"Forecast for {t.deadline} at the recent pace against the plan: {f.low:,.0f} to "
            f"{amount(f.high, t.metric)}, {reach}; needs {amount(f.needed_per_month, t.metric)} "
            f"a month from now to the deadline (expected by {as_of} on the plan: "
            f"{f.expected_now:,.0f}; reached: {actual:,.0f})."
        )

    return Condition(
        Rule.COMMITMENT_AT_RISK, active, round(f.expected_now, 2), actual, t.deadline, message
    )


def evaluate_target(
    t: TargetDefinition,
    actual: float,
    today: date,
    config: AlertConfig,
    *,
    as_of: date | None = None,
    at_risk: bool = True,
    grace: timedelta = timedelta(0),
    at_risk_firing: bool = False,
    recent: Sequence[tuple[float, float]] | None = None,
    settled: Collection[str] = (),
) -> list[Condition]:
    """Milestone, target and at-risk conditions of one target definition. `settled`: the
    keys (due dates) of milestones whose conditions change nothing while reached (which:
    service_layer/known_alerts.py): left out then, so that a commitment of many years does
    not weigh every past milestone at every report."""
    conditions: list[Condition] = []
    for m, (value, key) in zip(t.milestones, _milestone_keys(t), strict=True):
        if settled and actual >= value and key in settled:  # as left_out
            continue
        conditions += milestone_conditions(m, t.metric, actual, today, grace)
    conditions += target_conditions(t, actual, today, grace)
    if at_risk:
        conditions.append(
            at_risk_condition(t, actual, today, as_of or today, config, at_risk_firing, recent)
        )
    return conditions


def left_out(t: TargetDefinition, actual: float, settled: Collection[str]) -> set[str]:
    """The keys of the milestones evaluate_target leaves out: settled, and reached (a
    milestone not reached is weighed, whatever other milestone shares its due date)."""
    if not settled:
        return set()
    return {key for value, key in _milestone_keys(t) if actual >= value and key in settled}


@functools.lru_cache(maxsize=65_536)  # definitions are one object each (model.one_of)
def _milestone_keys(t: TargetDefinition) -> tuple[tuple[float, str], ...]:
    """Each milestone's value and key (its due date's text, as _named gives it)."""
    return tuple((m.value, m.due_date.isoformat()) for m in t.milestones)


def due_periods(c: Commitment, today: date) -> tuple[Period, ...]:
    """Periods of the commitment's window whose report is due: ended more than grace_days ago."""
    cutoff = today - timedelta(days=c.grace_days)  # p.end + grace < today
    t = c.target
    return periods_ended(t.start_date, t.deadline, c.cadence.granularity, cutoff, before=True)


def reporting_overdue(c: Commitment, reported: Collection[str], today: date) -> Condition | None:
    """None until a first period is due. `reported`: the texts of the periods reported."""
    due = due_periods(c, today)
    if not due:
        return None
    latest = due[-1]
    by = latest.end + timedelta(days=c.grace_days)
    names = period_names(c.target.start_date, c.target.deadline, c.cadence.granularity)
    done = sum(map(reported.__contains__, names[: len(due)]))  # due: a prefix of them
    active = latest.text not in reported

    def message() -> str:  # written only when the alert fires or resolves
        if active:
            return f"No progress report for {latest} (ended {latest.end}; due by {by})."
        return f"Progress for {latest} reported."

    return Condition(Rule.REPORTING_OVERDUE, active, len(due), done, by, message)


def as_of_date(progress: CommitmentProgress, today: date) -> date:
    """The day progress is taken to be known up to: the end of the latest period reported or
    due (so that the normal reporting lag does not count as falling behind), at most today."""
    c = progress.commitment
    ends = [p.end for p in due_periods(c, today)[-1:]]  # the latest due
    if (last := progress.last_reported_period) is not None:
        ends.append(last.end)
    if not ends:
        return c.target.start_date - timedelta(days=1)
    return min(today, max(ends))


def recent_of(progress: CommitmentProgress, as_of: date) -> list[tuple[float, float]]:
    """(reported, planned) of the commitment's latest periods ended by `as_of`."""
    c = progress.commitment
    return recent_periods(c.target, c.cadence.granularity, progress.values(), as_of)


def evaluate_commitment(
    progress: CommitmentProgress,
    today: date,
    config: AlertConfig,
    at_risk_firing: bool = False,
    settled: Collection[str] = (),
) -> list[Condition]:
    """Every condition of a commitment; none while it is suspended or withdrawn.
    `at_risk_firing`: its CommitmentAtRisk alert fires now (hysteresis); `settled`: as
    evaluate_target."""
    c = progress.commitment
    if not is_measured(c.status):
        return []
    active = c.status is CommitmentStatus.ACTIVE
    as_of = as_of_date(progress, today)
    conditions = evaluate_target(
        c.target,
        progress.achieved,
        today,
        config,
        as_of=as_of,
        at_risk=active,
        grace=timedelta(days=c.grace_days),
        at_risk_firing=at_risk_firing,
        recent=recent_of(progress, as_of) if active else None,
        settled=settled,
    )
    if active and (overdue := reporting_overdue(c, progress.marks_, today)):
        conditions.append(overdue)
    return conditions


def on_track(progress: CommitmentProgress, conditions: list[Condition]) -> bool | None:
    """Achieved, or active with no missed milestone or target and not at risk; None when
    the commitment is not measured."""
    status = progress.commitment.status
    if not is_measured(status):
        return None
    if status is not CommitmentStatus.ACTIVE:
        return status is CommitmentStatus.ACHIEVED
    return not any(c.active and c.rule in OFF_TRACK for c in conditions)


def commitment_subject(c: Commitment) -> Subject:
    return Subject(SubjectType.COMMITMENT, c.id, c.partnership_id, c.target.metric, c.partner_id)


def target_subject(t: PartnershipTarget) -> Subject:
    return Subject(SubjectType.PARTNERSHIP_TARGET, t.id, t.partnership_id, t.target.metric)
