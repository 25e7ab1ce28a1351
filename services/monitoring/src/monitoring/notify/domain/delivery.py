"""Webhook deliveries of alerts: one per (alert episode, transition, receiver), kept in a
persisted queue and retried with exponential backoff until delivered or given up. Pure.

- The unique key `fingerprint|episode|transition|receiver` makes enqueuing idempotent: a
  redelivered or replayed alert event cannot deliver twice.
- `delivery_id` is derived from the key, so every attempt (and a resend after a crash between
  the receiver's 2xx and our bookkeeping) carries the same `webhook-id` for receivers to
  deduplicate on.
- The body is fixed when the delivery is enqueued, so every attempt sends the same bytes;
  each attempt signs them afresh (Standard Webhooks: the id, the attempt's timestamp and the
  body, with each secret of the receiver that is valid then).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from monitoring.core.domain.errors import DeliveryNotRetryable
from monitoring.core.domain.model import PartnerStatus, is_closed

#: The receiver that gets every alert (when MONITORING_SECRETARIAT_WEBHOOK_URL is set).
SECRETARIAT = "secretariat"
_PARTNER = "partner:"
_IDS = uuid.UUID("0d7c52a4-93e1-4f7b-b6a8-2c51f0e9d3a7")
#: last_error keeps this many characters
ERROR_CHARS = 500


def partner_receiver(partner_id: str) -> str:
    return f"{_PARTNER}{partner_id}"


def partner_of(receiver: str) -> str | None:
    """The partner a receiver names; None for the secretariat."""
    return receiver[len(_PARTNER) :] if receiver.startswith(_PARTNER) else None


class Transition(StrEnum):
    FIRED = "fired"
    RESOLVED = "resolved"


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # not attempted yet
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # the last attempt failed; retried at next_attempt_at, if set
    SKIPPED = "skipped"  # nowhere to deliver (the partner has no webhook_url)
    #: muted (notify/domain/silences.py): held while next_attempt_at is set, then sent if
    #: the alert still fires, or left unsent (next_attempt_at None, last_error says why)
    SILENCED = "silenced"
    INHIBITED = "inhibited"


@dataclass(frozen=True)
class RetryPolicy:
    """Attempt n (n >= 1) failing waits base * factor^(n-1), at most `cap`; after
    `max_attempts` failed attempts the delivery is given up (failed, no next attempt)."""

    max_attempts: int = 12
    base: timedelta = timedelta(seconds=30)
    factor: float = 2.0
    cap: timedelta = timedelta(hours=6)

    def delay(self, attempts: int) -> timedelta:
        seconds = self.base.total_seconds() * self.factor ** max(0, attempts - 1)
        return min(self.cap, timedelta(seconds=seconds))

    def schedule(self) -> list[timedelta]:
        """The waits after each failed attempt but the last."""
        return [self.delay(n) for n in range(1, self.max_attempts)]


def delivery_key(fingerprint: str, episode: int, transition: Transition, receiver: str) -> str:
    return f"{fingerprint}|{episode}|{transition.value}|{receiver}"


def delivery_id(key: str) -> str:
    return str(uuid.uuid5(_IDS, key))


@dataclass(frozen=True)
class Delivery:
    key: str
    delivery_id: str
    #: the alert event delivered, and its type (the X-Pact-Event header)
    event_id: str
    event_type: str
    fingerprint: str
    episode: int
    transition: Transition
    receiver: str
    #: the alert's partner (None for partnership targets) and partnership
    partner_id: str | None
    partnership_id: str
    #: the JSON body, fixed at enqueue time
    body: str
    created_at: datetime
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_attempt_at: datetime | None = None
    last_error: str | None = None
    last_status_code: int | None = None
    delivered_at: datetime | None = None

    @property
    def gave_up(self) -> bool:
        return self.status is DeliveryStatus.FAILED and self.next_attempt_at is None

    def succeeded(self, at: datetime, status_code: int) -> Delivery:
        return replace(
            self,
            status=DeliveryStatus.DELIVERED,
            attempts=self.attempts + 1,
            last_attempt_at=at,
            last_status_code=status_code,
            delivered_at=at,
            next_attempt_at=None,
        )

    def failed(
        self, at: datetime, error: str, policy: RetryPolicy, status_code: int | None = None
    ) -> Delivery:
        attempts = self.attempts + 1
        retry = attempts < policy.max_attempts
        return replace(
            self,
            status=DeliveryStatus.FAILED,
            attempts=attempts,
            last_attempt_at=at,
            last_error=error[:ERROR_CHARS],
            last_status_code=status_code,
            next_attempt_at=at + policy.delay(attempts) if retry else None,
        )

    def skipped(self, at: datetime, reason: str) -> Delivery:
        return replace(
            self,
            status=DeliveryStatus.SKIPPED,
            last_attempt_at=at,
            last_error=reason[:ERROR_CHARS],
            next_attempt_at=None,
        )

    def requeued(self, at: datetime) -> Delivery:
        """A delivery given up (or skipped) tried again from now, with a fresh budget."""
        if not (self.gave_up or self.status is DeliveryStatus.SKIPPED):
            raise DeliveryNotRetryable(
                f"delivery {self.delivery_id} is {self.status.value}"
                + (" and will be retried" if self.next_attempt_at else "")
                + "; only deliveries given up or skipped are sent again",
                field="delivery_id",
            )
        return replace(self, status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=at)


@dataclass(frozen=True)
class Notice:
    """What a delivery needs of an alert event."""

    event_id: str
    event_type: str
    fingerprint: str
    episode: int
    transition: Transition
    partner_id: str | None
    partnership_id: str


def receivers_of(notice: Notice, secretariat: bool) -> list[str]:
    """The alert's partner (commitment alerts), and the secretariat when it has a webhook."""
    out = [partner_receiver(notice.partner_id)] if notice.partner_id else []
    return [*out, SECRETARIAT] if secretariat else out


def deliveries_for(
    notice: Notice, body: str, receivers: list[str], now: datetime
) -> list[Delivery]:
    out = []
    for receiver in receivers:
        key = delivery_key(notice.fingerprint, notice.episode, notice.transition, receiver)
        out.append(
            Delivery(
                key=key,
                delivery_id=delivery_id(key),
                event_id=notice.event_id,
                event_type=notice.event_type,
                fingerprint=notice.fingerprint,
                episode=notice.episode,
                transition=notice.transition,
                receiver=receiver,
                partner_id=notice.partner_id,
                partnership_id=notice.partnership_id,
                body=body,
                created_at=now,
                next_attempt_at=now,
            )
        )
    return out


@dataclass(frozen=True)
class WebhookContact:
    """A partner's webhook, from the registry's partner events (highest version wins)."""

    partner_id: str
    version: int
    webhook_url: str | None
    status: str
    #: the version of the secret that signs its deliveries (0: a webhook set before secrets
    #: were issued; its partner gets that version's successor by rotating)...
    secret_version: int = 0
    #: ... and until when the previous version signs too (a rotation's overlap)
    previous_secret_until: datetime | None = None

    @property
    def receives(self) -> bool:
        return self.webhook_url is not None and not is_closed(PartnerStatus(self.status))

    def secret_versions(self, now: datetime) -> tuple[int, ...]:
        """The versions of its secret that sign now, the current one first."""
        previous = self.secret_version - 1
        overlap = self.previous_secret_until is not None and now < self.previous_secret_until
        return (
            (self.secret_version, previous) if overlap and previous >= 0 else (self.secret_version,)
        )


@dataclass(frozen=True)
class Destination:
    """Where an attempt goes, and which of the partner's secret versions sign it (none: the
    secretariat's, which are monitoring's settings)."""

    url: str
    secret_versions: tuple[int, ...] = ()


@dataclass(frozen=True)
class Wait:
    """Not deliverable yet: try again later (counts as a failed attempt)."""

    reason: str


@dataclass(frozen=True)
class Skip:
    """Nowhere to deliver: the delivery is skipped."""

    reason: str


def destination(
    receiver: str, contact: WebhookContact | None, secretariat_url: str | None, now: datetime
) -> Destination | Wait | Skip:
    """Where to deliver now. A partner's webhook is looked up at each attempt, so a corrected
    webhook_url (and a rotated secret) is used from the next attempt on."""
    partner_id = partner_of(receiver)
    if partner_id is None:
        if not secretariat_url:
            return Skip("the secretariat has no webhook (settings)")
        return Destination(secretariat_url)
    if contact is None:
        return Wait(f"partner {partner_id} is not known yet (registry events)")
    if contact.webhook_url is None:
        return Skip(f"partner {partner_id} has no webhook_url")
    if not contact.receives:
        return Skip(f"partner {partner_id} is {contact.status}")
    return Destination(contact.webhook_url, contact.secret_versions(now))


def signature(keys: Sequence[bytes], webhook_id: str, timestamp: int, body: bytes) -> str:
    """The webhook-signature header (Standard Webhooks): `v1,` and the base64 HMAC-SHA256
    of `id.timestamp.body`, once per key, separated by spaces."""
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return " ".join(
        "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        for key in keys
    )
