"""Ports of the alert board and webhook deliveries: the board's unit of work (alerts,
delivery queue, partners' webhooks), and what the delivery worker needs."""

from __future__ import annotations

import abc
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from monitoring.core.domain.alerting import Alert
from monitoring.notify.domain.delivery import Delivery, Destination, WebhookContact
from pact_common.aggregates import UnitOfWorkPort


class AlertStore(abc.ABC):
    """Monitoring's alerts (one per fingerprint: its current or last episode)."""

    @abc.abstractmethod
    async def get(self, fingerprint: str) -> Alert | None: ...

    @abc.abstractmethod
    async def save(self, alert: Alert) -> None: ...


class DeliveryQueue(abc.ABC):
    """Deliveries waiting, done, failed or skipped; unique per key."""

    @abc.abstractmethod
    async def add_many(self, deliveries: Iterable[Delivery]) -> int:
        """Adds those whose key is new; returns how many were new."""

    @abc.abstractmethod
    async def get(self, delivery_id: str) -> Delivery | None: ...

    @abc.abstractmethod
    async def claim_due(
        self, now: datetime, limit: int, busy: Collection[str] = ()
    ) -> list[Delivery]:
        """Due deliveries (pending or failed with next_attempt_at <= now), the oldest due of
        each receiver not `busy`, at most one per receiver, each leased to this worker so
        that no other sends it meanwhile."""

    @abc.abstractmethod
    async def finish(self, delivery: Delivery) -> bool:
        """Store the outcome of an attempt and end the lease; False if the lease was lost."""

    @abc.abstractmethod
    async def save(self, delivery: Delivery) -> None:
        """Store a delivery changed outside an attempt (requeued)."""

    @abc.abstractmethod
    async def release(self) -> None:
        """End every lease this worker holds (on stop)."""


class ReceiverDirectory(abc.ABC):
    """Partners' webhooks, from monitoring's partner read model."""

    @abc.abstractmethod
    async def get(self, partner_id: str) -> WebhookContact | None: ...

    async def get_many(self, partner_ids: Iterable[str]) -> dict[str, WebhookContact]:
        """Those of these partners that are known."""
        found = {i: await self.get(i) for i in set(partner_ids)}
        return {i: c for i, c in found.items() if c is not None}


@dataclass(frozen=True)
class Sent:
    """What one attempt got: the receiver's status code, or why there was none."""

    status_code: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def answered(self) -> bool:
        """The receiver answered (whatever it said): it is there and quick."""
        return self.status_code is not None


class WebhookSender(abc.ABC):
    @abc.abstractmethod
    async def send(self, to: Destination, delivery: Delivery) -> Sent: ...


class AlertUnitOfWork(UnitOfWorkPort):
    alerts: AlertStore
