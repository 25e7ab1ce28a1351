"""The alert board's handlers with Fake ports: an alert is stored and its deliveries
enqueued once; the worker retries on the clock, waits for an unknown partner, skips one
without a webhook; acknowledgements are the alert's partner's or the secretariat's."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from monitoring.notify.domain.board import AlertNotFound
from monitoring.notify.domain.delivery import (
    SECRETARIAT,
    DeliveryNotFound,
    DeliveryStatus,
    RetryPolicy,
    WebhookContact,
)
from monitoring.notify.service_layer import handlers as h
from monitoring.notify.service_layer.ports import Sent
from pact_common.errors import Forbidden

from .alert_fakes import (
    BoardStore,
    FakeAlertUnitOfWork,
    FakeDeliveryOutbox,
    FakeReceiverDirectory,
    FakeSender,
)
from .builders import NOW
from .test_alert_board import alert

ACME = "https://hooks.acme.example/pact"
SECRETARIAT_URL = "https://pact.example/alerts"
POLICY = h.DeliveryPolicy(
    retry=RetryPolicy(max_attempts=3, base=timedelta(seconds=30)), secretariat_url=SECRETARIAT_URL
)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


async def test_an_alert_is_stored_and_its_deliveries_enqueued_once() -> None:
    uow = FakeAlertUnitOfWork()
    assert await h.record_alert(alert(), "{}", uow, Clock(), POLICY) == 2
    assert await h.record_alert(alert(), "{}", uow, Clock(), POLICY) == 0  # redelivered
    fired = alert()
    again = replace(fired, notice=replace(fired.notice, event_id="another-id"))
    assert await h.record_alert(again, "{}", uow, Clock(), POLICY) == 0  # published again
    assert sorted(d.receiver for d in uow.store.deliveries.values()) == [
        "partner:p-acme",
        SECRETARIAT,
    ]
    assert uow.store.records["ReportingOverdue:commitment:c-cloud"].status == "firing"


async def test_a_rebuild_stores_alerts_without_delivering_them() -> None:
    uow = FakeAlertUnitOfWork()
    quiet = h.DeliveryPolicy(secretariat_url=SECRETARIAT_URL, deliver=False)
    assert await h.record_alert(alert(), "{}", uow, Clock(), quiet) == 0
    assert uow.store.deliveries == {} and len(uow.store.records) == 1


async def test_deliveries_are_retried_on_the_clock_until_delivered() -> None:
    clock, uow = Clock(), FakeAlertUnitOfWork()
    store: BoardStore = uow.store
    store.contacts["p-acme"] = WebhookContact("p-acme", 2, ACME, "active")
    await h.record_alert(alert(), '{"a": 1}', uow, clock, POLICY)
    outbox, receivers = FakeDeliveryOutbox(store), FakeReceiverDirectory(store)
    sender = FakeSender({ACME: [Sent(503, "HTTP 503"), Sent(error="ReadTimeout")]})

    async def step() -> dict[str, int]:
        return dict(await h.deliver_due(outbox, receivers, sender, clock, POLICY))

    assert await step() == {"failed": 1, "delivered": 1}  # the secretariat answered at once
    assert await step() == {}  # nothing due: the retry waits 30 s
    clock.now += timedelta(seconds=30)
    assert await step() == {"failed": 1}
    failing = next(d for d in store.deliveries.values() if d.receiver == "partner:p-acme")
    assert (failing.attempts, failing.last_error, failing.next_attempt_at) == (
        2,
        "ReadTimeout",
        clock.now + timedelta(seconds=60),
    )
    clock.now += timedelta(seconds=60)
    assert await step() == {"delivered": 1}
    assert [attempt for url, _, attempt in sender.calls if url == ACME] == [1, 2, 3]
    assert len({delivery_id for url, delivery_id, _ in sender.calls if url == ACME}) == 1


async def test_a_delivery_waits_for_its_partner_and_skips_one_without_a_webhook() -> None:
    clock, uow = Clock(), FakeAlertUnitOfWork()
    only_partner = h.DeliveryPolicy(retry=POLICY.retry)
    await h.record_alert(alert(), "{}", uow, clock, only_partner)
    outbox, receivers = FakeDeliveryOutbox(uow.store), FakeReceiverDirectory(uow.store)
    sender = FakeSender()
    await h.deliver_due(outbox, receivers, sender, clock, only_partner)
    (waiting,) = uow.store.deliveries.values()
    assert (waiting.status, waiting.last_error) == (
        DeliveryStatus.FAILED,
        "partner p-acme is not known yet (registry events)",
    )
    assert await h.record_contact(WebhookContact("p-acme", 3, None, "active"), uow)
    assert not await h.record_contact(WebhookContact("p-acme", 2, ACME, "active"), uow)  # older
    clock.now += timedelta(seconds=30)
    await h.deliver_due(outbox, receivers, sender, clock, only_partner)
    (skipped,) = uow.store.deliveries.values()
    assert (skipped.status, skipped.last_error) == (
        DeliveryStatus.SKIPPED,
        "partner p-acme has no webhook_url",
    )
    assert sender.calls == []
    await h.record_contact(WebhookContact("p-acme", 4, ACME, "active"), uow)
    again = await h.requeue(skipped.delivery_id, outbox, clock)
    assert again.status is DeliveryStatus.PENDING
    await h.deliver_due(outbox, receivers, sender, clock, only_partner)
    assert [s.status for s in uow.store.deliveries.values()] == [DeliveryStatus.DELIVERED]
    with pytest.raises(DeliveryNotFound):
        await h.requeue("nothing", outbox, clock)


async def test_the_alerts_partner_or_the_secretariat_acknowledges_it() -> None:
    clock, uow = Clock(), FakeAlertUnitOfWork()
    await h.record_alert(alert(), "{}", uow, clock, POLICY)
    fp = "ReportingOverdue:commitment:c-cloud"
    with pytest.raises(Forbidden):
        await h.acknowledge(h.Acknowledge(fp, "p-other", "mine?", "p-other"), uow, clock)
    with pytest.raises(AlertNotFound):
        await h.acknowledge(h.Acknowledge("nothing", "p-acme", "x", "p-acme"), uow, clock)
    done = await h.acknowledge(h.Acknowledge(fp, "secretariat", "seen", None), uow, clock)
    assert done.acknowledgement is not None and done.acknowledgement.by == "secretariat"
    assert uow.store.records[fp].acknowledgement == done.acknowledgement
