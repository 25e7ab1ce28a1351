"""Value objects of the commitments domain, valid by construction: an invalid one raises
an error naming the input field and the rule it breaks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pact_common.targets import Milestone as Milestone  # the shared value
from pact_common.text import is_blank

from .errors import NotAllowed, RuleBroken


@dataclass(frozen=True)
class Actor:
    """Who asks: a partner (acting for itself only) or the secretariat (partner_id None)."""

    subject: str
    partner_id: str | None = None

    @property
    def is_secretariat(self) -> bool:
        return self.partner_id is None

    def require_may_act_for(self, partner_id: str) -> None:
        if not self.is_secretariat and self.partner_id != partner_id:
            raise NotAllowed(
                "not_owner",
                "partner_id",
                f"partner {self.partner_id} may not act for partner {partner_id}",
            )

    def require_secretariat(self) -> None:
        if not self.is_secretariat:
            raise NotAllowed(
                "secretariat_only", "authorization", "this action is for the secretariat"
            )


@dataclass(frozen=True)
class Cause:
    """A change this service makes because of another service's event."""

    event_id: str
    at: datetime
    actor: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Target:
    """What is to be reached by when; valid by construction."""

    metric: str
    target_value: float
    start_date: date
    deadline: date
    baseline: float = 0
    milestones: tuple[Milestone, ...] = ()

    def __post_init__(self) -> None:
        if self.deadline <= self.start_date:
            raise RuleBroken(
                "deadline_before_start",
                "deadline",
                f"deadline {self.deadline} must be after start_date {self.start_date}",
            )
        if self.baseline < 0:
            raise RuleBroken("not_negative", "baseline", "baseline must not be negative")
        if self.target_value <= self.baseline:
            raise RuleBroken(
                "target_not_above_baseline",
                "target_value",
                f"target_value {self.target_value:g} must be above the baseline {self.baseline:g}",
            )
        self._check_milestones()

    def _check_milestones(self) -> None:
        due, value = self.start_date, self.baseline
        for i, milestone in enumerate(self.milestones):
            at = f"milestones.{i}"
            if milestone.due_date >= self.deadline:
                raise RuleBroken(
                    "milestone_after_deadline",
                    f"{at}.due_date",
                    f"milestone due {milestone.due_date} must be due before the deadline "
                    f"{self.deadline}",
                )
            if milestone.due_date <= due:
                raise RuleBroken(
                    "milestones_out_of_order",
                    f"{at}.due_date",
                    f"milestone due {milestone.due_date} must be due after {due} (the start "
                    "date, then each milestone after the one before)",
                )
            if milestone.value <= value:
                raise RuleBroken(
                    "milestones_not_increasing",
                    f"{at}.value",
                    f"cumulative milestone value {milestone.value:g} must be above {value:g} "
                    "(the baseline, then each milestone above the one before)",
                )
            if milestone.value > self.target_value:
                raise RuleBroken(
                    "milestone_above_target",
                    f"{at}.value",
                    f"milestone value {milestone.value:g} is above the target "
                    f"{self.target_value:g}",
                )
            due, value = milestone.due_date, milestone.value


@dataclass(frozen=True)
class Pledge:
    """What a partner pledges besides its target, as PledgeCommitment asks it and as Terms
    hold it."""

    partner_id: str
    partnership_id: str
    title: str
    principle: str
    action_type: str
    specialisations: tuple[str, ...]
    levels: tuple[str, ...]
    countries: tuple[str, ...]
    cadence: str
    grace_days: int


@dataclass(frozen=True)
class Terms(Pledge):
    """Everything a partner pledges: valid by construction."""

    target: Target
    description: str = ""

    def __post_init__(self) -> None:
        if is_blank(self.title):
            raise RuleBroken("required", "title", "title must not be empty")
        for name in ("specialisations", "levels", "countries"):
            values: tuple[str, ...] = getattr(self, name)
            if not values:
                raise RuleBroken("required", name, f"{name} needs at least one value")
            if len(set(values)) != len(values):
                raise RuleBroken("duplicate", name, f"{name} lists a value twice")
        if not 0 <= self.grace_days <= 365:
            raise RuleBroken("out_of_range", "grace_days", "grace_days must be 0 to 365")


@dataclass(frozen=True)
class Amendment:
    """A change of target value, deadline or milestones (None: unchanged), with a reason."""

    reason: str
    target_value: float | None = None
    deadline: date | None = None
    milestones: tuple[Milestone, ...] | None = None


def require_reason(reason: str) -> None:
    if is_blank(reason):
        raise RuleBroken("required", "reason", "a reason is required")
