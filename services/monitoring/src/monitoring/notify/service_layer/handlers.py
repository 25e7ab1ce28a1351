"""The alert board and its webhook deliveries, one small function each: the deliveries of
an alert are enqueued in the transaction that decided it; one attempt of a delivery (the
delivery worker's dispatcher, dispatch.py, runs them); people acknowledge alerts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from monitoring.core.domain.alerting import Alert
from monitoring.core.domain.errors import AlertNotFound, DeliveryNotFound
from monitoring.notify.domain.delivery import (
    Delivery,
    Notice,
    RetryPolicy,
    Skip,
    Wait,
    WebhookContact,
    deliveries_for,
    destination,
    partner_of,
    receivers_of,
)
from monitoring.notify.service_layer.ports import (
    AlertUnitOfWork,
    DeliveryQueue,
    ReceiverDirectory,
    Sent,
    WebhookSender,
)
from pact_common.clock import Clock
from pact_common.errors import Forbidden


@dataclass(frozen=True)
class DeliveryPolicy:
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    secretariat_url: str | None = None
    #: False when rebuilding: alerts are decided again silently, nothing is sent again
    deliver: bool = True
    #: attempts one worker has in flight at most, each to a receiver of its own
    batch: int = 20


async def enqueue_deliveries(
    decided: list[tuple[Notice, str]],
    queue: DeliveryQueue,
    receivers: ReceiverDirectory,
    clock: Clock,
    policy: DeliveryPolicy,
) -> int:
    """Alerts just decided (each with its event's JSON body): enqueue a delivery per receiver,
    in the transaction that decided them. Returns how many were new: a key already queued
    (the same episode and transition) is not delivered again. A delivery to a partner known
    to have nowhere to receive it (no webhook_url, or closed) is stored skipped at once, as
    its first attempt would have left it, rather than queued for the worker to find so."""
    if not policy.deliver or not decided:
        return 0
    secretariat = bool(policy.secretariat_url)
    now = clock()
    deliveries = [
        d
        for notice, body in decided
        for d in deliveries_for(notice, body, receivers_of(notice, secretariat=secretariat), now)
    ]
    partners = {p for d in deliveries if (p := partner_of(d.receiver)) is not None}
    contacts = await receivers.get_many(partners) if partners else {}
    return await queue.add_many(_skipped_at_once(d, contacts, now) for d in deliveries)


def _skipped_at_once(
    d: Delivery, contacts: Mapping[str, WebhookContact], now: datetime
) -> Delivery:
    partner_id = partner_of(d.receiver)
    contact = contacts.get(partner_id) if partner_id is not None else None
    if contact is None:  # the secretariat, or a partner not known yet: the worker decides
        return d
    where = destination(d.receiver, contact, None, now)
    return d.skipped(now, where.reason) if isinstance(where, Skip) else d


@dataclass(frozen=True)
class Acknowledge:
    fingerprint: str
    by: str
    note: str
    #: a partner acknowledges its own alerts only; None: the secretariat
    as_partner: str | None


async def acknowledge(cmd: Acknowledge, uow: AlertUnitOfWork, clock: Clock) -> Alert:
    async with uow:
        alert = await uow.alerts.get(cmd.fingerprint)
        if alert is None:
            raise AlertNotFound(f"no alert {cmd.fingerprint}", field="fingerprint")
        if cmd.as_partner is not None and alert.partner_id != cmd.as_partner:
            raise Forbidden(
                f"partner {cmd.as_partner} may acknowledge its own alerts only",
                field="fingerprint",
            )
        acknowledged = alert.acknowledged_by(cmd.by, cmd.note, clock())
        await uow.alerts.save(acknowledged)
        await uow.commit()
    return acknowledged


async def requeue(delivery_id: str, queue: DeliveryQueue, clock: Clock) -> Delivery:
    """The secretariat sends a given-up or skipped delivery again, with a fresh budget."""
    delivery = await queue.get(delivery_id)
    if delivery is None:
        raise DeliveryNotFound(f"no delivery {delivery_id}", field="delivery_id")
    again = delivery.requeued(clock())
    await queue.save(again)
    return again


async def attempt(
    delivery: Delivery,
    receivers: ReceiverDirectory,
    sender: WebhookSender,
    clock: Clock,
    policy: DeliveryPolicy,
) -> tuple[Delivery, Sent | None]:
    """One attempt: where to (looked up now), send, and what follows; with what the receiver
    answered (None: nothing was sent)."""
    partner_id = partner_of(delivery.receiver)
    contact = await receivers.get(partner_id) if partner_id is not None else None
    where = destination(delivery.receiver, contact, policy.secretariat_url, clock())
    if isinstance(where, Skip):
        return delivery.skipped(clock(), where.reason), None
    if isinstance(where, Wait):
        return delivery.failed(clock(), where.reason, policy.retry), None
    sent = await sender.send(where, delivery)
    if sent.ok:
        assert sent.status_code is not None
        return delivery.succeeded(clock(), sent.status_code), sent
    error = sent.error or f"HTTP {sent.status_code}"
    return delivery.failed(clock(), error, policy.retry, sent.status_code), sent
