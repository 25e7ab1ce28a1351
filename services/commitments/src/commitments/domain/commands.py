"""What partners, the secretariat and other services ask of the commitments service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .partners import PartnershipView, PartnerView
from .values import Actor, Amendment, Cause, Milestone, Target, Terms


@dataclass(frozen=True)
class PledgeCommitment:
    actor: Actor
    partner_id: str
    partnership_id: str
    title: str
    principle: str
    action_type: str
    specialisations: tuple[str, ...]
    levels: tuple[str, ...]
    countries: tuple[str, ...]
    target_value: float
    start_date: date
    deadline: date
    cadence: str
    grace_days: int
    metric: str = "people_trained"
    baseline: float = 0
    milestones: tuple[Milestone, ...] = ()
    description: str = ""

    def terms(self) -> Terms:
        """The pledge's terms; raises if any rule is broken."""
        return Terms(
            partner_id=self.partner_id,
            partnership_id=self.partnership_id,
            title=self.title,
            description=self.description,
            principle=self.principle,
            action_type=self.action_type,
            specialisations=self.specialisations,
            levels=self.levels,
            countries=self.countries,
            cadence=self.cadence,
            grace_days=self.grace_days,
            target=Target(
                metric=self.metric,
                target_value=self.target_value,
                baseline=self.baseline,
                start_date=self.start_date,
                deadline=self.deadline,
                milestones=self.milestones,
            ),
        )


@dataclass(frozen=True)
class AmendCommitment:
    actor: Actor
    commitment_id: str
    amendment: Amendment


@dataclass(frozen=True)
class WithdrawCommitment:
    actor: Actor
    commitment_id: str
    reason: str


@dataclass(frozen=True)
class SetPartnershipTarget:
    actor: Actor
    partnership_id: str
    title: str
    target_value: float
    start_date: date
    deadline: date
    metric: str = "people_trained"
    baseline: float = 0
    milestones: tuple[Milestone, ...] = ()

    def target(self) -> Target:
        return Target(
            metric=self.metric,
            target_value=self.target_value,
            baseline=self.baseline,
            start_date=self.start_date,
            deadline=self.deadline,
            milestones=self.milestones,
        )


@dataclass(frozen=True)
class RecordPartner:
    """A partner event from the registry: its snapshot after the change, and why."""

    partner: PartnerView
    cause: Cause


@dataclass(frozen=True)
class RecordPartnership:
    partnership: PartnershipView


@dataclass(frozen=True)
class RecordTargetOutcome:
    """Monitoring found a commitment's target achieved (True) or missed (False)."""

    commitment_id: str
    achieved: bool
    cause: Cause
