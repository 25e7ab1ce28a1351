"""Builds the alert board (its consumer groups, HTTP API and webhook delivery worker), the
progress views and the annual report onto monitoring's runtime; bootstrap calls it. Nothing
here does I/O until `start()`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from fastapi import APIRouter

from monitoring.config import Settings
from monitoring.notify.adapters import board_store as alert_store
from monitoring.notify.adapters.board_store import (
    AlertBoardViews,
    MongoAlertUnitOfWork,
    MongoReceiverDirectory,
)
from monitoring.notify.adapters.delivery_queue import DeliveryViews, MongoDeliveryOutbox
from monitoring.notify.adapters.webhooks import HttpWebhookSender
from monitoring.notify.domain.delivery import RetryPolicy
from monitoring.notify.entrypoints import consumers as alert_consumers
from monitoring.notify.entrypoints.delivery_worker import DeliveryWorker
from monitoring.notify.entrypoints.http import AlertServices, alerts_router
from monitoring.notify.service_layer import handlers as alert_handlers
from monitoring.notify.service_layer.handlers import Clock, DeliveryPolicy
from monitoring.views.adapters.annual_report_views import ReportViews
from monitoring.views.entrypoints.reports_http import reports_router
from pact_common.runtime import Runtime
from pact_common.unit_of_work import MongoUnitOfWork as Transaction


def delivery_policy(settings: Settings, *, deliver: bool = True) -> DeliveryPolicy:
    return DeliveryPolicy(
        retry=RetryPolicy(
            max_attempts=settings.webhook_max_attempts,
            base=timedelta(seconds=settings.webhook_retry_base_seconds),
            cap=timedelta(seconds=settings.webhook_retry_max_seconds),
        ),
        secretariat_url=settings.secretariat_webhook_url,
        deliver=deliver,
        batch=settings.delivery_batch,
    )


def joined(tx: Transaction) -> MongoAlertUnitOfWork:
    return MongoAlertUnitOfWork(tx)


@dataclass
class Alerting:
    runtime: Runtime
    routers: list[APIRouter]
    services: AlertServices
    sender: HttpWebhookSender
    new_worker: Callable[[], DeliveryWorker]
    worker: DeliveryWorker = field(init=False)

    def __post_init__(self) -> None:
        self.worker = self.new_worker()

    async def start(self) -> None:
        """Indexes, then the delivery worker (before the consumers start)."""
        await alert_store.ensure_indexes(self.runtime.mongo.db)
        self.worker.start()

    async def restart_worker(self) -> DeliveryWorker:
        """Stop the delivery worker and start a new one (a worker of its own, as after a
        restart): everything it needs is in the outbox."""
        await self.worker.stop()
        self.worker = self.new_worker()
        self.worker.start()
        return self.worker

    async def stop(self) -> None:
        await self.worker.stop()
        await self.sender.close()


def build_alerting(runtime: Runtime, settings: Settings, clock: Clock) -> Alerting:
    policy = delivery_policy(settings)
    alert_consumers.register(runtime, joined=joined, clock=clock, policy=policy)
    db = runtime.mongo.db
    lease = timedelta(seconds=settings.delivery_lease_seconds)
    outbox = MongoDeliveryOutbox(db, lease=lease)
    receivers = MongoReceiverDirectory(db)
    private = settings.webhook_private_networks
    sender = HttpWebhookSender(
        settings.webhook_secret.get_secret_value(),
        settings.webhook_timeout_seconds,
        private_networks=private if private is not None else settings.environment != "production",
    )

    def new_worker() -> DeliveryWorker:
        """Each worker leases deliveries under an owner id of its own."""
        own = MongoDeliveryOutbox(db, lease=lease)

        async def step() -> Counter[str]:
            return await alert_handlers.deliver_due(own, receivers, sender, clock, policy)

        return DeliveryWorker(step, own.release, settings.delivery_poll_seconds, runtime.log)

    services = AlertServices(
        board=AlertBoardViews(db),
        deliveries=DeliveryViews(db),
        outbox=outbox,
        uow=lambda: MongoAlertUnitOfWork(runtime.unit_of_work(), joined=False),
        clock=clock,
    )
    routers = [alerts_router(services), reports_router(ReportViews(db))]
    return Alerting(runtime, routers, services, sender, new_worker)
