"""The one mapping from monitoring's domain events to contract events."""

from __future__ import annotations

import pact_contracts as c
from monitoring.core.domain import events

#: ProgressRejected's limits: longer texts are cut, never refused
_MESSAGE_CHARS, _PAYLOAD_CHARS, _ID_CHARS = 4000, 200_000, 100


def _cut(text: str | None, limit: int) -> str | None:
    return text[:limit] if text is not None else None


def to_contract(event: events.DomainEvent, correlation_id: str | None = None) -> c.Event:
    if isinstance(event, events.ReportRejected):
        return c.ProgressRejected(
            reason_code=c.RejectionReason(event.reason.value),
            message=event.message[:_MESSAGE_CHARS],
            original_event_id=_cut(event.event_id, _ID_CHARS),
            partner_id=_cut(event.partner_id, 200),
            commitment_id=_cut(event.commitment_id, 200),
            original_payload=event.payload[:_PAYLOAD_CHARS],
            payload_encoding="base64" if event.payload_encoding == "base64" else "utf-8",
            correlation_id=correlation_id,
            causation_id=_cut(event.event_id, _ID_CHARS),
        )
    alert = event.alert
    kind = c.AlertFired if isinstance(event, events.AlertFired) else c.AlertResolved
    return kind(
        fingerprint=alert.fingerprint,
        episode=alert.episode,
        rule=c.AlertRule(alert.rule.value),
        severity=c.Severity(alert.severity.value),
        subject_type=c.SubjectType(alert.subject.type.value),
        subject_id=alert.subject.id,
        partner_id=alert.subject.partner_id,
        partnership_id=alert.subject.partnership_id,
        metric=alert.subject.metric.value,
        expected=alert.expected,
        actual=alert.actual,
        due_date=alert.due_date,
        message=alert.message[:2000],
        correlation_id=correlation_id,
    )
