"""The other services' contract events -> monitoring's domain objects (its read models)."""

from __future__ import annotations

from datetime import UTC, date

import pact_contracts as c
from monitoring.core.domain.model import (
    Commitment,
    CommitmentStatus,
    Metric,
    Milestone,
    Partner,
    Partnership,
    PartnershipTarget,
    PartnerStatus,
    TargetDefinition,
    one_of,
)
from monitoring.core.domain.periods import Cadence


def partner(event: c.PartnerEvent) -> Partner | Partnership:
    assert not isinstance(event, c.PersonUpdated), "people are notify's recipients"
    if isinstance(event, c.PartnershipCreated):
        return Partnership(event.partnership_id, event.name)
    p = event.partner
    return Partner(
        id=event.partner_id,
        version=event.partner_version,
        status=PartnerStatus(p.status.value),
        partnerships=tuple(p.partnerships),
        signing_key=p.signing_public_key,
        webhook_url=p.webhook_url,
        webhook_secret_version=p.webhook_secret_version,
        webhook_previous_secret_until=p.webhook_previous_secret_until,
        credential_version=p.credential_version,
    )


def definition(t: c.TargetDefinition) -> TargetDefinition:
    return one_of(
        TargetDefinition(
            metric=Metric(t.metric.value),
            target_value=t.target_value,
            baseline=t.baseline,
            start_date=t.start_date,
            deadline=t.deadline,
            milestones=tuple(
                Milestone(m.due_date, m.value)
                for m in sorted(t.milestones, key=lambda m: m.due_date)
            ),
        )
    )


def commitment(event: c.CommitmentEvent) -> Commitment | PartnershipTarget:
    if isinstance(event, c.PartnershipTargetSet):
        t = event.target
        return PartnershipTarget(
            id=event.target_id,
            version=event.target_version,
            partnership_id=t.partnership_id,
            target=definition(t),
            title=t.title,
        )
    s = event.commitment
    return Commitment(
        id=event.commitment_id,
        version=event.commitment_version,
        partner_id=s.partner_id,
        partnership_id=s.partnership_id,
        target=definition(s),
        cadence=Cadence(s.cadence.value),
        grace_days=s.grace_days,
        status=CommitmentStatus(s.status.value),
        title=s.title,
        countries=tuple(s.countries),
        levels=tuple(level.value for level in s.levels),
        withdrawn_on=_withdrawn_on(event),
    )


def _withdrawn_on(event: c.CommitmentEvent) -> date | None:
    """The day of the withdrawal, as its event says (a replay reads the same)."""
    if isinstance(event, c.CommitmentWithdrawn):
        return event.occurred_at.astimezone(UTC).date()
    return None
