"""The one mapping from registry domain events to contract events."""

from __future__ import annotations

from typing import Any

import pact_contracts as c

from ..domain import events
from ..domain.accounts import User
from ..domain.model import Partner
from ..domain.partnership import Partnership

_PARTNER_EVENTS: dict[type[events.PartnerEvent], type[Any]] = {
    events.PartnerRegistered: c.PartnerRegistered,
    events.PartnerApproved: c.PartnerApproved,
    events.PartnerRejected: c.PartnerRejected,
    events.PartnerSuspended: c.PartnerSuspended,
    events.PartnerReinstated: c.PartnerReinstated,
    events.PartnerWithdrawn: c.PartnerWithdrawn,
    events.PartnerUpdated: c.PartnerUpdated,
    events.PartnerSigningKeyRegistered: c.PartnerSigningKeyRegistered,
    events.PartnerJoinedPartnership: c.PartnerJoinedPartnership,
    events.PartnerLeftPartnership: c.PartnerLeftPartnership,
}


def snapshot(partner: Partner) -> c.PartnerSnapshot:
    """What downstream services need of a partner; never a secret (no key hash, contact)."""
    p = partner.profile
    return c.PartnerSnapshot.model_validate(
        {
            "legal_name": p.legal_name,
            "organisation_type": p.organisation_type,
            "size_class": p.size_class,
            "hq_country": p.hq_country,
            "countries": list(p.countries),
            "status": partner.status.value,
            "partnerships": list(partner.partnerships),
            "webhook_url": p.webhook_url,
            "signing_public_key": p.signing_public_key,
            "webhook_secret_version": partner.webhook_secret_version,
            "webhook_previous_secret_until": partner.webhook_previous_secret_until,
            "credential_version": partner.credential_version,
        }
    )


def person(user: User, correlation_id: str | None = None) -> c.PersonUpdated:
    """A person's account as it is now: never its password, TOTP secret or OIDC link."""
    return c.PersonUpdated(
        user_id=user.id,
        email=user.email,
        name=user.name,
        partner_id=user.partner_id,
        role=user.role.value,
        status=user.status.value,
        notifications=c.NotificationPreferences.model_validate(user.notifications),
        version=user.version,
        correlation_id=correlation_id,
    )


def to_contract(event: Any, aggregate: Any, correlation_id: str | None = None) -> c.Event:
    if isinstance(event, events.PersonUpdated):
        assert isinstance(aggregate, User)
        return person(aggregate, correlation_id)
    if isinstance(event, events.PartnershipCreated):
        assert isinstance(aggregate, Partnership)
        return c.PartnershipCreated(
            partnership_id=aggregate.id,
            name=aggregate.name,
            ecosystem=aggregate.ecosystem,
            description=aggregate.description,
            correlation_id=correlation_id,
        )
    assert isinstance(aggregate, Partner)
    extra: dict[str, Any] = {}
    if isinstance(event, events.PartnerUpdated):
        extra["changed_fields"] = list(event.changed_fields)
    if isinstance(event, events.PartnerJoinedPartnership | events.PartnerLeftPartnership):
        extra["partnership_id"] = event.partnership_id
    contract = _PARTNER_EVENTS[type(event)]
    built: c.Event = contract(
        partner_id=aggregate.id,
        partner_version=aggregate.version,
        partner=snapshot(aggregate),
        actor=event.actor,
        reason=event.reason,
        correlation_id=correlation_id,
        **extra,
    )
    return built
