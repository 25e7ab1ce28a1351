"""Domain events: what happened to a commitment or a partnership target.

Each commitment event carries the commitment's whole terms and status after the change
and its version, so it is both the outgoing fact and an entry of the commitment's
history. (These are not the contract classes; adapters/publisher.py maps them.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .cells import Cell
    from .model import CommitmentStatus
    from .values import Target, Terms


@dataclass(frozen=True)
class CommitmentEvent:
    commitment_id: str
    version: int
    terms: Terms
    status: CommitmentStatus
    occurred_at: datetime
    actor: str | None = None
    reason: str | None = None
    #: event_id of the partner event or alert that caused this change, if one did.
    caused_by: str | None = None

    @property
    def name(self) -> str:
        return type(self).__name__


class CommitmentPledged(CommitmentEvent): ...


@dataclass(frozen=True)
class CommitmentAmended(CommitmentEvent):
    changed_fields: tuple[str, ...] = field(default=())


class CommitmentWithdrawn(CommitmentEvent): ...


class CommitmentSuspended(CommitmentEvent): ...


class CommitmentResumed(CommitmentEvent): ...


class CommitmentAchieved(CommitmentEvent): ...


class CommitmentMissed(CommitmentEvent): ...


@dataclass(frozen=True)
class PartnershipTargetSet:
    target_id: str
    version: int
    partnership_id: str
    title: str
    target: Target
    occurred_at: datetime
    actor: str | None = None
    cells: tuple[Cell, ...] = ()

    @property
    def name(self) -> str:
        return type(self).__name__


DomainEvent = CommitmentEvent | PartnershipTargetSet
