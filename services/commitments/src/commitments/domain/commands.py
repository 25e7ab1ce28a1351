"""What partners, the secretariat and other services ask of the commitments service."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any, TypeVar

from .cells import Cell
from .partners import PartnershipView, PartnerView
from .values import Actor, Amendment, Cause, Milestone, Pledge, Target, Terms

V = TypeVar("V", Terms, Target)


@dataclass(frozen=True)
class PledgeCommitment(Pledge):
    actor: Actor
    target_value: float
    start_date: date
    deadline: date
    metric: str = "people_trained"
    baseline: float = 0
    milestones: tuple[Milestone, ...] = ()
    description: str = ""

    def terms(self) -> Terms:
        """The pledge's terms; raises if any rule is broken."""
        return _built(Terms, self, target=_built(Target, self))


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
    cells: tuple[Cell, ...] = ()

    def target(self) -> Target:
        """The target; raises if any rule is broken."""
        return _built(Target, self)


@dataclass(frozen=True)
class CallForPledges:
    """The secretariat asks the partners to pledge for cells of a partnership target."""

    actor: Actor
    target_id: str
    cells: tuple[Cell, ...]
    message: str


def _built(kind: type[V], command: object, **given: Any) -> V:
    """A value object of `kind` from the command's fields of the same names (and `given`);
    a field `kind` adds that the command lacks fails here, loudly."""
    names = [f.name for f in fields(kind) if f.name not in given]
    return kind(**{name: getattr(command, name) for name in names}, **given)


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
