"""The one mapping from the commitments service's domain events to contract events."""

from __future__ import annotations

from typing import Any

import pact_contracts as c

from ..domain import events
from .calls import cells_doc
from .documents import target_to_doc, terms_to_doc

_COMMITMENT_EVENTS: dict[type[events.CommitmentEvent], type[Any]] = {
    events.CommitmentPledged: c.CommitmentPledged,
    events.CommitmentAmended: c.CommitmentAmended,
    events.CommitmentWithdrawn: c.CommitmentWithdrawn,
    events.CommitmentSuspended: c.CommitmentSuspended,
    events.CommitmentResumed: c.CommitmentResumed,
    events.CommitmentAchieved: c.CommitmentAchieved,
    events.CommitmentMissed: c.CommitmentMissed,
}


def to_contract(event: events.DomainEvent, correlation_id: str | None = None) -> c.Event:
    """Every commitment event carries the whole commitment after it and its version."""
    if isinstance(event, events.PartnershipTargetSet):
        return c.PartnershipTargetSet(
            target_id=event.target_id,
            target_version=event.version,
            target=c.PartnershipTarget.model_validate(
                {
                    "partnership_id": event.partnership_id,
                    "title": event.title,
                    **target_to_doc(event.target),
                    # additive in v1: absent for a target not split
                    **({"cells": cells_doc(event.cells)} if event.cells else {}),
                }
            ),
            actor=event.actor,
            occurred_at=event.occurred_at,
            correlation_id=correlation_id,
        )
    extra: dict[str, Any] = {}
    if isinstance(event, events.CommitmentAmended):
        extra["changed_fields"] = list(event.changed_fields)
    built: c.Event = _COMMITMENT_EVENTS[type(event)](
        commitment_id=event.commitment_id,
        commitment_version=event.version,
        commitment=c.CommitmentSnapshot.model_validate(
            {**terms_to_doc(event.terms), "status": event.status.value}
        ),
        actor=event.actor,
        reason=event.reason,
        occurred_at=event.occurred_at,
        correlation_id=correlation_id,
        causation_id=event.caused_by,
        **extra,
    )
    return built
