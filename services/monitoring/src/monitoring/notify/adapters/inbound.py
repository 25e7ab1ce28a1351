"""Contract events -> the alert board's domain objects: alert events, and partners' webhooks
from the registry's partner events."""

from __future__ import annotations

import pact_contracts as c
from monitoring.notify.domain.board import AlertNotice
from monitoring.notify.domain.delivery import Notice, Transition, WebhookContact


def alert_notice(event: c.AlertFired | c.AlertResolved) -> AlertNotice:
    fired = isinstance(event, c.AlertFired)
    return AlertNotice(
        notice=Notice(
            event_id=str(event.event_id),
            event_type=event.event_type,
            fingerprint=event.fingerprint,
            episode=event.episode,
            transition=Transition.FIRED if fired else Transition.RESOLVED,
            partner_id=event.partner_id,
            partnership_id=event.partnership_id,
        ),
        rule=event.rule.value,
        severity=event.severity.value,
        subject_type=event.subject_type.value,
        subject_id=event.subject_id,
        metric=event.metric,
        expected=event.expected,
        actual=event.actual,
        due_date=event.due_date,
        message=event.message,
        occurred_at=event.occurred_at,
    )


def webhook_contact(event: c.PartnerEvent) -> WebhookContact | None:
    """None for events that are not about one partner (PartnershipCreated)."""
    if isinstance(event, c.PartnershipCreated):
        return None
    p = event.partner
    return WebhookContact(event.partner_id, event.partner_version, p.webhook_url, p.status.value)
