"""Silences and inhibition for email, as for webhooks: the mail worker asks, for the alerts
of the items it is about to mail, what mutes each now (the same `Muting` the webhook
deliveries ask)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from monitoring.notify.domain.email import AlertNote
from monitoring.notify.domain.silences import AlertFacts
from monitoring.notify.entrypoints.mail_worker import Muted
from monitoring.notify.service_layer.silencing import Muting


def facts_of(note: AlertNote) -> AlertFacts:
    return AlertFacts(
        fingerprint=note.fingerprint,
        rule=note.rule,
        severity=note.severity,
        subject_type=note.subject_type,
        subject_id=note.subject_id,
        partner_id=note.partner_id,
        partnership_id=note.partnership_id,
    )


def muted_by(muting: Muting) -> Muted:
    async def muted(notes: Sequence[AlertNote], now: datetime) -> list[str | None]:
        checks = await muting.check_many([facts_of(n) for n in notes], now)
        return [why.reason if why.muted else None for why in checks]

    return muted
