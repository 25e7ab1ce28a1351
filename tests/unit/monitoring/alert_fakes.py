"""In-memory Fake ports of the alert board and its deliveries: state survives only a commit
(the queue the worker uses is not transactional, like MongoDB's single-document writes)."""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from monitoring.core.domain.alerting import Alert
from monitoring.notify.domain.delivery import (
    Delivery,
    DeliveryStatus,
    Destination,
    WebhookContact,
)
from monitoring.notify.service_layer.ports import (
    AlertStore,
    AlertUnitOfWork,
    DeliveryQueue,
    ReceiverDirectory,
    Sent,
    WebhookSender,
)

from . import copyable  # noqa: F401 - before any store is copied


@dataclass
class BoardStore:
    alerts: dict[str, Alert] = field(default_factory=dict)
    deliveries: dict[str, Delivery] = field(default_factory=dict)
    contacts: dict[str, WebhookContact] = field(default_factory=dict)
    leased: set[str] = field(default_factory=set)


class FakeAlertStore(AlertStore):
    def __init__(self, s: BoardStore) -> None:
        self.s = s

    async def get(self, fingerprint: str) -> Alert | None:
        return self.s.alerts.get(fingerprint)

    async def save(self, alert: Alert) -> None:
        self.s.alerts[alert.fingerprint] = alert


class FakeDeliveryQueue(DeliveryQueue):
    def __init__(self, s: BoardStore) -> None:
        self.s = s

    async def add_many(self, deliveries: Iterable[Delivery]) -> int:
        new = [d for d in deliveries if d.key not in self.s.deliveries]
        self.s.deliveries.update((d.key, d) for d in new)
        return len(new)

    async def get(self, delivery_id: str) -> Delivery | None:
        return next((d for d in self.s.deliveries.values() if d.delivery_id == delivery_id), None)

    async def claim_due(
        self, now: datetime, limit: int, busy: Collection[str] = ()
    ) -> list[Delivery]:
        due: list[Delivery] = []
        skip = set(busy)
        for d in sorted(
            self.s.deliveries.values(), key=lambda d: d.next_attempt_at or d.created_at
        ):
            if (
                len(due) < limit
                and d.status in (DeliveryStatus.PENDING, DeliveryStatus.FAILED)
                and d.next_attempt_at is not None
                and d.next_attempt_at <= now
                and d.key not in self.s.leased
                and d.receiver not in skip
            ):
                due.append(d)
                skip.add(d.receiver)
        self.s.leased |= {d.key for d in due}
        return due

    async def finish(self, delivery: Delivery) -> bool:
        if delivery.key not in self.s.leased:
            return False
        self.s.leased.discard(delivery.key)
        self.s.deliveries[delivery.key] = delivery
        return True

    async def save(self, delivery: Delivery) -> None:
        self.s.deliveries[delivery.key] = delivery

    async def release(self) -> None:
        self.s.leased.clear()


class FakeReceiverDirectory(ReceiverDirectory):
    def __init__(self, s: BoardStore) -> None:
        self.s = s

    async def get(self, partner_id: str) -> WebhookContact | None:
        return self.s.contacts.get(partner_id)


class FakeAlertUnitOfWork(AlertUnitOfWork):
    def __init__(self, store: BoardStore | None = None) -> None:
        self.store = store or BoardStore()
        self.commits = 0

    async def __aenter__(self) -> FakeAlertUnitOfWork:
        self._work = copy.deepcopy(self.store)
        self.alerts = FakeAlertStore(self._work)
        return self

    async def commit(self) -> None:
        self.store.__dict__.update(copy.deepcopy(self._work).__dict__)
        self.commits += 1


class FakeSender(WebhookSender):
    """Answers each URL from a script (then 204), and keeps every call."""

    def __init__(self, script: dict[str, list[Sent]] | None = None) -> None:
        self.script = script or {}
        self.calls: list[tuple[str, str, int]] = []

    async def send(self, to: Destination, delivery: Delivery) -> Sent:
        self.calls.append((to.url, delivery.delivery_id, delivery.attempts + 1))
        answers = self.script.get(to.url, [])
        return answers.pop(0) if answers else Sent(204)
