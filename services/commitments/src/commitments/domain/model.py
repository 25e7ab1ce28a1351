"""The aggregates: a partner's commitment under the Pact for Skills, with its versions, and
a partnership's common target. Pure Python; every refusal names the field and the rule."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, TypeVar

from pact_common.text import is_blank
from pact_common.vocabulary import CommitmentStatus as CommitmentStatus  # the shared vocabulary

from .cells import CallForPledges, Cell, called_cells, check_cells
from .errors import RuleBroken, StatusConflict
from .events import (
    CommitmentAchieved,
    CommitmentAmended,
    CommitmentEvent,
    CommitmentMissed,
    CommitmentPledged,
    CommitmentResumed,
    CommitmentSuspended,
    CommitmentWithdrawn,
    PartnershipTargetSet,
)
from .partners import PartnershipView, PartnerStatus, PartnerView, is_closed, may_pledge
from .values import Actor, Amendment, Cause, Milestone, Target, Terms, require_reason

T = TypeVar("T")


#: Open while it can still change: be amended, withdrawn, suspended or resumed.
OPEN = frozenset({CommitmentStatus.ACTIVE, CommitmentStatus.SUSPENDED})


@dataclass
class Commitment:
    id: str
    terms: Terms
    pledged_at: datetime
    status: CommitmentStatus = CommitmentStatus.ACTIVE
    version: int = 1
    updated_at: datetime | None = None
    events: list[CommitmentEvent] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def pledge(
        cls,
        commitment_id: str,
        terms: Terms,
        *,
        partner: PartnerView | None,
        actor: Actor,
        at: datetime,
    ) -> Commitment:
        """Only an active partner pledges, for itself (or the secretariat for it), toward a
        partnership it has joined."""
        actor.require_may_act_for(terms.partner_id)
        if partner is None:
            raise RuleBroken("unknown_partner", "partner_id", f"no partner {terms.partner_id}")
        if not may_pledge(partner.status):
            raise RuleBroken(
                "partner_not_active",
                "partner_id",
                f"partner {terms.partner_id} is {partner.status}; only an active partner "
                "may pledge",
            )
        if terms.partnership_id not in partner.partnerships:
            raise RuleBroken(
                "not_a_member",
                "partnership_id",
                f"partner {terms.partner_id} has not joined partnership {terms.partnership_id}",
            )
        commitment = cls(id=commitment_id, terms=terms, pledged_at=at, version=0)
        commitment._record(CommitmentPledged, at, actor.subject)
        return commitment

    def amend(self, amendment: Amendment, *, actor: Actor, at: datetime) -> None:
        """Amendments change the future only: not after the deadline, not to a deadline in
        the past, and milestones already due stay as they were. Earlier versions are kept."""
        actor.require_may_act_for(self.terms.partner_id)
        self._require_open("amended")
        require_reason(amendment.reason)
        today, old = at.date(), self.terms.target
        if old.deadline < today:
            raise StatusConflict(
                "deadline_passed",
                f"the deadline {old.deadline} has passed; the commitment can no longer change",
                field="deadline",
            )
        if amendment.deadline is not None and amendment.deadline < today:
            raise RuleBroken(
                "deadline_in_past", "deadline", f"deadline {amendment.deadline} has passed"
            )
        new = replace(
            old,
            target_value=_or(amendment.target_value, old.target_value),
            deadline=_or(amendment.deadline, old.deadline),
            milestones=_or(amendment.milestones, old.milestones),
        )
        changed = tuple(
            name
            for name in ("target_value", "deadline", "milestones")
            if getattr(new, name) != getattr(old, name)
        )
        if not changed:
            raise RuleBroken(
                "nothing_to_amend", "body", "the amendment changes no target, deadline or milestone"
            )
        if _due_before(new, today) != _due_before(old, today):
            raise RuleBroken(
                "past_milestone_changed",
                "milestones",
                f"milestones due before {today} cannot be changed, added or removed",
            )
        self.terms = replace(self.terms, target=new)
        self._record(CommitmentAmended, at, actor.subject, amendment.reason, changed_fields=changed)

    def withdraw(self, reason: str, *, actor: Actor, at: datetime) -> None:
        actor.require_may_act_for(self.terms.partner_id)
        self._require_open("withdrawn")
        require_reason(reason)
        self.status = CommitmentStatus.WITHDRAWN
        self._record(CommitmentWithdrawn, at, actor.subject, reason)

    def follow_partner(self, partner: PartnerStatus, cause: Cause) -> bool:
        """A partner's suspension suspends its open commitments, reinstatement resumes them,
        withdrawal (or rejection) withdraws them. True when this commitment changed."""
        if partner is PartnerStatus.SUSPENDED and self.status is CommitmentStatus.ACTIVE:
            return self._become(CommitmentStatus.SUSPENDED, CommitmentSuspended, cause)
        if partner is PartnerStatus.ACTIVE and self.status is CommitmentStatus.SUSPENDED:
            return self._become(CommitmentStatus.ACTIVE, CommitmentResumed, cause)
        if is_closed(partner) and self.is_open:
            return self._become(CommitmentStatus.WITHDRAWN, CommitmentWithdrawn, cause)
        return False

    def mark_achieved(self, cause: Cause) -> bool:
        """Monitoring found the target reached. A late report may turn a missed commitment
        into an achieved one; a withdrawn one stays withdrawn. True when it changed."""
        if self.status in (CommitmentStatus.ACHIEVED, CommitmentStatus.WITHDRAWN):
            return False
        return self._become(CommitmentStatus.ACHIEVED, CommitmentAchieved, cause)

    def mark_missed(self, cause: Cause) -> bool:
        """Monitoring found the deadline passed without the target. True when it changed."""
        if not self.is_open:
            return False
        return self._become(CommitmentStatus.MISSED, CommitmentMissed, cause)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def _require_open(self, change: str) -> None:
        if not self.is_open:
            raise StatusConflict(
                "not_open", f"commitment {self.id} is {self.status}; it cannot be {change}"
            )

    def _become(self, status: CommitmentStatus, kind: type[CommitmentEvent], cause: Cause) -> bool:
        self.status = status
        self._record(kind, cause.at, cause.actor, cause.reason, caused_by=cause.event_id)
        return True

    def _record(
        self,
        kind: type[CommitmentEvent],
        at: datetime,
        actor: str | None,
        reason: str | None = None,
        **extra: Any,
    ) -> None:
        self.version += 1
        self.updated_at = at
        self.events.append(
            kind(
                commitment_id=self.id,
                version=self.version,
                terms=self.terms,
                status=self.status,
                occurred_at=at,
                actor=actor,
                reason=reason,
                **extra,
            )
        )


@dataclass
class PartnershipTarget:
    """A common target of a partnership, set by the secretariat; its progress is
    monitoring's business."""

    id: str
    partnership_id: str
    title: str
    target: Target
    set_at: datetime
    version: int = 1
    #: the target split by level, country and gender (none: not split)
    cells: tuple[Cell, ...] = ()
    events: list[PartnershipTargetSet] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def set(
        cls,
        target_id: str,
        title: str,
        target: Target,
        *,
        partnership: PartnershipView | None,
        partnership_id: str,
        actor: Actor,
        at: datetime,
        cells: tuple[Cell, ...] = (),
    ) -> PartnershipTarget:
        actor.require_secretariat()
        if partnership is None:
            raise RuleBroken(
                "unknown_partnership", "partnership_id", f"no partnership {partnership_id}"
            )
        if is_blank(title):
            raise RuleBroken("required", "title", "title must not be empty")
        made = cls(
            target_id,
            partnership.partnership_id,
            title,
            target,
            set_at=at,
            cells=check_cells(cells),
        )
        made.events.append(
            PartnershipTargetSet(
                target_id=target_id,
                version=made.version,
                partnership_id=made.partnership_id,
                title=title,
                target=target,
                occurred_at=at,
                actor=actor.subject,
                cells=made.cells,
            )
        )
        return made

    def call_for_pledges(
        self, call_id: str, cells: tuple[Cell, ...], message: str, *, actor: Actor, at: datetime
    ) -> CallForPledges:
        """The secretariat asks every partner to pledge for some of the target's cells."""
        actor.require_secretariat()
        if is_blank(message):
            raise RuleBroken("required", "message", "a call says what it asks for")
        return CallForPledges(
            id=call_id,
            target_id=self.id,
            partnership_id=self.partnership_id,
            title=self.title,
            metric=self.target.metric,
            cells=called_cells(self.cells, cells),
            message=message,
            published_at=at,
            actor=actor.subject,
        )


def _or(value: T | None, default: T) -> T:
    return default if value is None else value


def _due_before(target: Target, day: date) -> list[Milestone]:
    return [m for m in target.milestones if m.due_date < day]
