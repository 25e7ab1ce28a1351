"""Who holds an identity in the registry. A legal name (normalised) and each legal
identifier (VAT, EUID, PIC) belong to one partner at a time among those that are pending,
active or suspended; a rejected or withdrawn partner holds none, so the organisation can
register again. A rejected registration can also be purged by the secretariat: its record
goes, the audit trail keeps that it was purged, by whom and why."""

from __future__ import annotations

from datetime import datetime

from .errors import IllegalTransition
from .model import Partner, Status, Transition

#: the statuses whose partners hold their name and identifiers
HOLDS_IDENTITY = frozenset({Status.PENDING, Status.ACTIVE, Status.SUSPENDED})
#: what the audit trail says a purged registration became
PURGED = "purged"


def purge(partner: Partner, *, actor: str, reason: str, at: datetime) -> None:
    """Mark a rejected registration for removal (the repository deletes it)."""
    if partner.status is not Status.REJECTED:
        raise IllegalTransition("purge", partner.status.value)
    partner.new_transitions.append(
        Transition(at, "purge", actor, partner.status.value, PURGED, reason)
    )
