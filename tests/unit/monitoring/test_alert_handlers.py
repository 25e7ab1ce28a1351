"""The alert board's handlers with Fake ports: an alert's deliveries are enqueued once per
transition; the worker retries on the clock, waits for an unknown partner, skips one without
a webhook; acknowledgements are the alert's partner's or the secretariat's."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from monitoring.core.domain.alerting import reconcile
from monitoring.core.domain.errors import AlertNotFound, DeliveryNotFound
from monitoring.notify.domain.delivery import (
    SECRETARIAT,
    Delivery,
    DeliveryStatus,
    Destination,
    Notice,
    RetryPolicy,
    Transition,
    WebhookContact,
)
from monitoring.notify.service_layer import handlers as h
from monitoring.notify.service_layer.dispatch import Dispatcher
from monitoring.notify.service_layer.ports import Sent
from pact_common.errors import Forbidden

from .alert_fakes import (
    BoardStore,
    FakeAlertUnitOfWork,
    FakeDeliveryQueue,
    FakeReceiverDirectory,
    FakeSender,
)
from .builders import NOW
from .test_acknowledgement import SUBJECT, overdue

ACME = "https://hooks.acme.example/pact"
SECRETARIAT_URL = "https://pact.example/alerts"
POLICY = h.DeliveryPolicy(
    retry=RetryPolicy(max_attempts=3, base=timedelta(seconds=30)), secretariat_url=SECRETARIAT_URL
)


def notice(event_id: str = "e-1") -> Notice:
    return Notice(
        event_id=event_id,
        event_type="AlertFired",
        fingerprint="ReportingOverdue:commitment:c-cloud",
        episode=1,
        transition=Transition.FIRED,
        partner_id="p-acme",
        partnership_id="digital-ecosystem",
    )


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


async def step(dispatcher: Dispatcher) -> dict[str, int]:
    """Start what is due and wait for those attempts: their outcomes by status."""
    before = Counter(dispatcher.outcomes)
    await dispatcher.dispatch()
    await dispatcher.settle(None)
    return dict(dispatcher.outcomes - before)


async def test_an_alerts_deliveries_are_enqueued_once_per_transition() -> None:
    queue = FakeDeliveryQueue(BoardStore())
    receivers = FakeReceiverDirectory(queue.s)
    assert await h.enqueue_deliveries([(notice(), "{}")], queue, receivers, Clock(), POLICY) == 2
    again = [(notice(), "{}")]
    assert await h.enqueue_deliveries(again, queue, receivers, Clock(), POLICY) == 0  # again
    again = [(notice("another-id"), "{}")]
    assert await h.enqueue_deliveries(again, queue, receivers, Clock(), POLICY) == 0  # decided
    assert sorted(d.receiver for d in queue.s.deliveries.values()) == [
        "partner:p-acme",
        SECRETARIAT,
    ]
    resolved = replace(notice("e-2"), event_type="AlertResolved", transition=Transition.RESOLVED)
    assert await h.enqueue_deliveries([(resolved, "{}")], queue, receivers, Clock(), POLICY) == 2


async def test_a_rebuild_decides_alerts_without_delivering_them() -> None:
    queue = FakeDeliveryQueue(BoardStore())
    quiet = h.DeliveryPolicy(secretariat_url=SECRETARIAT_URL, deliver=False)
    receivers = FakeReceiverDirectory(queue.s)
    assert await h.enqueue_deliveries([(notice(), "{}")], queue, receivers, Clock(), quiet) == 0
    assert queue.s.deliveries == {}


async def test_deliveries_are_retried_on_the_clock_until_delivered() -> None:
    clock, uow = Clock(), FakeAlertUnitOfWork()
    store: BoardStore = uow.store
    store.contacts["p-acme"] = WebhookContact("p-acme", 2, ACME, "active")
    outbox, receivers = FakeDeliveryQueue(store), FakeReceiverDirectory(store)
    await h.enqueue_deliveries([(notice(), '{"a": 1}')], outbox, receivers, clock, POLICY)
    sender = FakeSender({ACME: [Sent(503, "HTTP 503"), Sent(error="ReadTimeout")]})
    dispatcher = Dispatcher(outbox, receivers, sender, clock, POLICY)
    assert await step(dispatcher) == {"failed": 1, "delivered": 1}  # the secretariat at once
    assert await step(dispatcher) == {}  # nothing due: the retry waits 30 s
    clock.now += timedelta(seconds=30)
    assert await step(dispatcher) == {"failed": 1}
    failing = next(d for d in store.deliveries.values() if d.receiver == "partner:p-acme")
    assert (failing.attempts, failing.last_error, failing.next_attempt_at) == (
        2,
        "ReadTimeout",
        clock.now + timedelta(seconds=60),
    )
    clock.now += timedelta(seconds=60)
    assert await step(dispatcher) == {"delivered": 1}
    assert [attempt for url, _, attempt in sender.calls if url == ACME] == [1, 2, 3]
    assert len({delivery_id for url, delivery_id, _ in sender.calls if url == ACME}) == 1


async def test_a_delivery_waits_for_its_partner_and_skips_one_without_a_webhook() -> None:
    clock, uow = Clock(), FakeAlertUnitOfWork()
    only_partner = h.DeliveryPolicy(retry=POLICY.retry)
    outbox, receivers = FakeDeliveryQueue(uow.store), FakeReceiverDirectory(uow.store)
    await h.enqueue_deliveries([(notice(), "{}")], outbox, receivers, clock, only_partner)
    sender = FakeSender()
    dispatcher = Dispatcher(outbox, receivers, sender, clock, only_partner)
    await step(dispatcher)
    (waiting,) = uow.store.deliveries.values()
    assert (waiting.status, waiting.last_error) == (
        DeliveryStatus.FAILED,
        "partner p-acme is not known yet (registry events)",
    )
    uow.store.contacts["p-acme"] = WebhookContact("p-acme", 3, None, "active")
    clock.now += timedelta(seconds=30)
    await step(dispatcher)
    (skipped,) = uow.store.deliveries.values()
    assert (skipped.status, skipped.last_error) == (
        DeliveryStatus.SKIPPED,
        "partner p-acme has no webhook_url",
    )
    assert sender.calls == []
    uow.store.contacts["p-acme"] = WebhookContact("p-acme", 4, ACME, "active")
    again = await h.requeue(skipped.delivery_id, outbox, clock)
    assert again.status is DeliveryStatus.PENDING
    await step(dispatcher)
    assert [s.status for s in uow.store.deliveries.values()] == [DeliveryStatus.DELIVERED]
    with pytest.raises(DeliveryNotFound):
        await h.requeue("nothing", outbox, clock)


async def test_a_delivery_to_a_partner_known_to_have_no_webhook_is_stored_skipped_at_once() -> None:
    """Its first attempt could only skip it: it is stored so in the deciding transaction,
    and the worker never claims it. The secretariat's and a partner's with a webhook wait
    for the worker; so does one whose partner is not known yet."""
    clock, store = Clock(), BoardStore()
    store.contacts["p-acme"] = WebhookContact("p-acme", 2, None, "active")
    store.contacts["p-gone"] = WebhookContact("p-gone", 2, ACME, "withdrawn")
    store.contacts["p-hooked"] = WebhookContact("p-hooked", 2, ACME, "active")
    outbox, receivers = FakeDeliveryQueue(store), FakeReceiverDirectory(store)
    for partner in ("p-acme", "p-gone", "p-hooked", "p-unknown"):
        alert = replace(notice(f"e-{partner}"), partner_id=partner)
        alert = replace(alert, fingerprint=f"ReportingOverdue:commitment:c-{partner}")
        assert await h.enqueue_deliveries([(alert, "{}")], outbox, receivers, clock, POLICY) == 2
    stored = {d.receiver: d for d in store.deliveries.values() if d.receiver != SECRETARIAT}
    shown = {r: (d.status.value, d.last_error, d.next_attempt_at) for r, d in stored.items()}
    print("\n", shown)
    assert shown == {
        "partner:p-acme": ("skipped", "partner p-acme has no webhook_url", None),
        "partner:p-gone": ("skipped", "partner p-gone is withdrawn", None),
        "partner:p-hooked": ("pending", None, NOW),
        "partner:p-unknown": ("pending", None, NOW),
    }
    sender = FakeSender()
    dispatcher = Dispatcher(outbox, receivers, sender, clock, POLICY)
    for _ in range(4):  # one slot per receiver: the secretariat's four, one at a time
        await step(dispatcher)
    assert sorted(url for url, _, _ in sender.calls) == [ACME] + [SECRETARIAT_URL] * 4
    assert store.deliveries[stored["partner:p-acme"].key].status is DeliveryStatus.SKIPPED
    again = await h.requeue(stored["partner:p-acme"].delivery_id, outbox, clock)
    assert again.status is DeliveryStatus.PENDING  # the secretariat may still send it again


async def test_the_alerts_partner_or_the_secretariat_acknowledges_it() -> None:
    clock, uow = Clock(), FakeAlertUnitOfWork()
    (fired,) = reconcile(SUBJECT, {}, [overdue(True)], NOW).changed
    uow.store.alerts[fired.fingerprint] = fired
    fp = "ReportingOverdue:commitment:c-cloud"
    with pytest.raises(Forbidden):
        await h.acknowledge(h.Acknowledge(fp, "p-other", "mine?", "p-other"), uow, clock)
    with pytest.raises(AlertNotFound):
        await h.acknowledge(h.Acknowledge("nothing", "p-acme", "x", "p-acme"), uow, clock)
    done = await h.acknowledge(h.Acknowledge(fp, "secretariat", "seen", None), uow, clock)
    assert done.acknowledgement is not None and done.acknowledgement.by == "secretariat"
    assert uow.store.alerts[fp].acknowledgement == done.acknowledgement


class HangingSender(FakeSender):
    """Never answers one URL (until released); answers every other at once."""

    def __init__(self, hangs: str) -> None:
        super().__init__()
        self.hangs = hangs
        self.release = asyncio.Event()

    async def send(self, to: Destination, delivery: Delivery) -> Sent:
        if to.url == self.hangs:
            self.calls.append((to.url, delivery.delivery_id, delivery.attempts + 1))
            await self.release.wait()
            return Sent(error="timed out")
        return await super().send(to, delivery)


async def test_a_receiver_that_hangs_delays_no_other_and_backs_off_as_a_whole() -> None:
    """One slot per receiver: while an attempt to the hanging partner is in flight, every
    other receiver's deliveries go out and are stored; the hanging one gets one attempt at a
    time, then backs off as a whole (its other deliveries are not tried, nor counted)."""
    clock, store = Clock(), BoardStore()
    hangs = "https://hangs.example/hook"
    for partner, url in (("p-acme", ACME), ("p-hangs", hangs)):
        store.contacts[partner] = WebhookContact(partner, 2, url, "active", secret_version=1)
    queue, receivers = FakeDeliveryQueue(store), FakeReceiverDirectory(store)
    for n in range(3):  # three alerts, each to both partners and the secretariat
        for partner in ("p-acme", "p-hangs"):
            alert = replace(notice(f"e-{n}-{partner}"), partner_id=partner)
            alert = replace(alert, fingerprint=f"ReportingOverdue:commitment:c-{n}-{partner}")
            await h.enqueue_deliveries([(alert, "{}")], queue, receivers, clock, POLICY)
    sender = HangingSender(hangs)
    dispatcher = Dispatcher(queue, receivers, sender, clock, POLICY)
    for _ in range(10):  # the worker's loop, while the hanging attempt hangs
        await dispatcher.dispatch()
        await dispatcher.settle(0.01)
    delivered = [d for d in store.deliveries.values() if d.status is DeliveryStatus.DELIVERED]
    assert sorted(Counter(d.receiver for d in delivered).items()) == [
        ("partner:p-acme", 3),
        (SECRETARIAT, 6),
    ]
    assert [url for url, _, _ in sender.calls].count(hangs) == 1  # one slot, still in flight
    sender.release.set()
    await dispatcher.settle(None)
    assert dispatcher.outcomes == {"delivered": 9, "failed": 1}
    for _ in range(3):  # backing off: its other deliveries wait, untried
        await step(dispatcher)
    assert [url for url, _, _ in sender.calls].count(hangs) == 1
    clock.now += POLICY.retry.delay(1)
    assert await step(dispatcher) == {"failed": 1}  # the next one, once: still no answer
    assert dispatcher.backing_off["partner:p-hangs"].failures == 2
    hanging = [d for d in store.deliveries.values() if d.receiver == "partner:p-hangs"]
    assert sorted(d.attempts for d in hanging) == [0, 1, 1]
