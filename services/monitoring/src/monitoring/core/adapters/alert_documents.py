"""Alerts <-> MongoDB documents (dates as in documents.py: ISO strings)."""

from __future__ import annotations

import functools
from dataclasses import asdict

from monitoring.core.adapters.documents import Doc, day_from, day_text
from monitoring.core.domain.alerting import Acknowledgement, Alert, AlertStatus
from monitoring.core.domain.conditions import Rule, Severity, Subject, SubjectType
from monitoring.core.domain.model import Metric


def alert_doc(a: Alert) -> Doc:
    s = a.subject
    return {
        "_id": a.fingerprint,
        "rule": a.rule.value,
        "subject_key": s.key,
        "subject_type": s.type.value,
        "subject_id": s.id,
        "partner_id": s.partner_id,
        "partnership_id": s.partnership_id,
        "metric": s.metric.value,
        "status": a.status.value,
        "episode": a.episode,
        "severity": a.severity.value,
        "expected": a.expected,
        "actual": a.actual,
        "due_date": day_text(a.due_date),
        "message": a.message,
        "fired_at": a.fired_at,
        "resolved_at": a.resolved_at,
        "acknowledgement": asdict(a.acknowledgement) if a.acknowledgement else None,
        "acknowledged": a.acknowledgement is not None,
        "text_at_firing": a.text_at_firing,
        "resolve_after": a.resolve_after,
    }


@functools.lru_cache(maxsize=4096)
def _subject(
    kind: str, subject_id: str, partnership_id: str, metric: str, partner: str | None
) -> Subject:
    """The alerts of a subject share it (a ten-year commitment fires one per milestone)."""
    return Subject(SubjectType(kind), subject_id, partnership_id, Metric(metric), partner)


_RULES: dict[str, Rule] = {r.value: r for r in Rule}
_STATUSES: dict[str, AlertStatus] = {x.value: x for x in AlertStatus}
_SEVERITIES: dict[str, Severity] = {x.value: x for x in Severity}


def alert_from(doc: Doc) -> Alert:
    """An alert from its document. A batch reads every firing alert of the commitments it
    touches (nine missed milestones of a ten-year commitment while their resolves are held):
    the subject, the enums and the due day are looked up rather than built each time."""
    subject = _subject(
        doc["subject_type"],
        doc["subject_id"],
        doc["partnership_id"],
        doc["metric"],
        doc.get("partner_id"),
    )
    return Alert(
        fingerprint=doc["_id"],
        rule=_RULES[doc["rule"]],
        subject=subject,
        status=_STATUSES[doc["status"]],
        episode=doc["episode"],
        severity=_SEVERITIES[doc["severity"]],
        expected=doc["expected"],
        actual=doc["actual"],
        due_date=day_from(doc.get("due_date")),
        message=doc["message"],
        fired_at=doc["fired_at"],
        resolved_at=doc.get("resolved_at"),
        acknowledgement=Acknowledgement(**ack) if (ack := doc.get("acknowledgement")) else None,
        text_at_firing=doc.get("text_at_firing") or doc["message"],
        resolve_after=doc.get("resolve_after"),
    )
