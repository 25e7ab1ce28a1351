"""Builds monitoring, the one way: settings -> runtime -> repositories, handlers, consumers,
sweep, alert board, webhook deliveries, views -> app (the portal's dashboard reads these
views over HTTP). The service (`__main__`), the rebuild (on a replay runtime, delivering
nothing) and the tests all call `build`; nothing does I/O until the app starts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from fastapi import FastAPI
from starlette.middleware import Middleware

from monitoring.config import Settings
from monitoring.core.adapters import repository, view_journal
from monitoring.core.adapters.partner_gate import ActivePartnersOnly
from monitoring.core.adapters.report_codec import verify_signature
from monitoring.core.adapters.unit_of_work import MongoUnitOfWork
from monitoring.core.domain import commands
from monitoring.core.domain.conditions import AlertConfig
from monitoring.core.domain.corrections import Correction
from monitoring.core.domain.intake import Taken
from monitoring.core.domain.ownership import Held
from monitoring.core.entrypoints import consumers
from monitoring.core.entrypoints.corrections_http import corrections_router
from monitoring.core.entrypoints.http import intake_router
from monitoring.core.entrypoints.progress_consumer import ProgressConsumer
from monitoring.core.entrypoints.sweeper import Sweeper
from monitoring.core.entrypoints.targets import OwnedTargets
from monitoring.core.service_layer import corrections, handlers
from monitoring.notify.adapters import mail_queue, recipients
from monitoring.notify.adapters.alert_board import MongoAlertUnitOfWork, MongoReceiverDirectory
from monitoring.notify.adapters.delivery_queue import DeliveryViews, MongoDeliveryQueue
from monitoring.notify.adapters.delivery_queue import ensure_indexes as delivery_indexes
from monitoring.notify.adapters.inbound import DeliveriesOnDecision
from monitoring.notify.adapters.live_text import LiveText
from monitoring.notify.adapters.mail_inbound import record_person
from monitoring.notify.adapters.webhook_keys import WebhookKeys
from monitoring.notify.adapters.webhooks import HttpWebhookSender
from monitoring.notify.domain.delivery import RetryPolicy
from monitoring.notify.entrypoints.delivery_worker import DeliveryWorker
from monitoring.notify.entrypoints.http import AlertServices, alerts_router
from monitoring.notify.entrypoints.mail_muting import muted_by
from monitoring.notify.entrypoints.mailing import mailing, with_mail
from monitoring.notify.entrypoints.silencing_setup import Silencing
from monitoring.notify.service_layer.dispatch import Dispatcher
from monitoring.notify.service_layer.handlers import DeliveryPolicy
from monitoring.views.adapters.aggregate_views import AggregateViews
from monitoring.views.adapters.alert_views import AlertBoardViews
from monitoring.views.adapters.declaration_store import DeclarationStore
from monitoring.views.adapters.progress_views import MonitoringViews
from monitoring.views.adapters.waiting_views import WaitingViews
from monitoring.views.entrypoints import progress_http
from monitoring.views.entrypoints.aggregates_http import aggregates_router
from monitoring.views.entrypoints.learners_http import learners_router
from monitoring.views.entrypoints.public_http import public_router
from monitoring.views.entrypoints.survey_http import survey_router
from monitoring.views.entrypoints.waiting_http import waiting_router
from pact_common.clock import Clock, utc_now
from pact_common.http import ReadsInTurn
from pact_common.runtime import Runtime
from pact_common.unit_of_work import Transaction, retry_transient

DESCRIPTION = """Live progress of every commitment and partnership target of the Digital
Ecosystem Skills Partnership, from the progress reports partner systems send (Kafka topic
partners.progress-reported.v1, or `POST /progress`); alerts on monitoring.alerts.v1 when
targets are missed or about to be."""


def policy_of(settings: Settings) -> handlers.Policy:
    return handlers.Policy(
        alerts=alert_config(settings),
        park_for=timedelta(seconds=settings.park_seconds),
        park_limit=settings.park_limit_per_partner,
        verify=verify_signature,
        signatures_required=settings.signatures_required,
    )


def alert_config(settings: Settings) -> AlertConfig:
    return AlertConfig(
        settings.at_risk_tolerance,
        settings.at_risk_min_elapsed,
        settings.at_risk_resolve_short_percent / 100,
        timedelta(seconds=settings.min_firing_seconds),
    )


def silencing(runtime: Runtime, settings: Settings, clock: Clock) -> Silencing:
    table = {k.value: [r.value for r in v] for k, v in settings.inhibition.items()}
    return Silencing(runtime.mongo.db, table, clock, settings.delivery_poll_seconds, runtime.log)


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


@dataclass
class Alerting:
    """The webhook delivery worker of this instance (one at a time; tests restart it)."""

    new_worker: Callable[[], DeliveryWorker]
    sender: HttpWebhookSender
    worker: DeliveryWorker = field(init=False)

    def __post_init__(self) -> None:
        self.worker = self.new_worker()

    async def restart_worker(self) -> DeliveryWorker:
        """Start a worker of its own, as after a restart (all it needs is in the queue)."""
        await self.worker.stop()
        self.worker = self.new_worker()
        self.worker.start()
        return self.worker

    async def stop(self) -> None:
        await self.worker.stop()
        await self.sender.close()


@dataclass
class Monitoring:
    """Everything one monitoring instance is made of."""

    settings: Settings
    runtime: Runtime
    app: FastAPI
    progress: ProgressConsumer
    sweeper: Sweeper
    alerting: Alerting
    #: the secretariat's correction of a period (the rebuild re-applies them with it)
    correct: Callable[[commands.CorrectPeriod], Awaitable[Correction]]


def _alerting(runtime: Runtime, settings: Settings, clock: Clock, mutes: Silencing) -> Alerting:
    db, policy = runtime.mongo.db, delivery_policy(settings)
    lease = timedelta(seconds=settings.delivery_lease_seconds)
    receivers = MongoReceiverDirectory(db)
    production = settings.environment == "production"
    private, https = settings.webhook_private_networks, settings.webhook_https_only
    secrets = settings.webhook_key.get_secret_value(), settings.secretariat_webhook_secrets()
    keys = WebhookKeys(*secrets)
    sender = HttpWebhookSender(
        keys,
        settings.webhook_timeout_seconds,
        private_networks=private if private is not None else not production,
        https_only=https if https is not None else production,
    )

    def new_worker() -> DeliveryWorker:
        """Each worker leases deliveries under an owner id of its own."""
        own = MongoDeliveryQueue(db, lease=lease)
        dispatcher = Dispatcher(own, receivers, sender, clock, policy, mutes.hold)
        return DeliveryWorker(dispatcher, own.release, settings.delivery_poll_seconds, runtime.log)

    return Alerting(new_worker, sender)


def build(
    settings: Settings | None = None,
    clock: Clock = utc_now,
    *,
    runtime: Runtime | None = None,
    deliver: bool = True,
) -> Monitoring:
    """`runtime`: the rebuild passes a replay runtime; `deliver=False` enqueues no webhook
    deliveries (a rebuild decides every alert again, silently)."""
    settings = settings or Settings()
    runtime = runtime or Runtime(settings)
    db, policy = runtime.mongo.db, policy_of(settings)
    mail = mailing(settings.email() if deliver else None, runtime, clock, runtime.log)
    on_decided = with_mail(
        DeliveriesOnDecision(clock, delivery_policy(settings, deliver=deliver)),
        mail.on_decision if mail else None,
    )

    apart = settings.views_apart  # the views kept by the keeper (domain/view_journal.py)

    def uow() -> MongoUnitOfWork:
        return MongoUnitOfWork(runtime.unit_of_work(), on_decided=on_decided, views_apart=apart)

    def joined(tx: Transaction) -> MongoUnitOfWork:
        return MongoUnitOfWork(tx.joined(), on_decided=on_decided, views_apart=apart)

    progress = consumers.register(
        runtime,
        uow=uow,
        joined=joined,
        clock=clock,
        policy=policy,
        max_records=settings.progress_batch_max_records,
        waits_ms=(settings.progress_fetch_wait_ms, settings.progress_idle_wait_ms),
        on_person=record_person,
    )

    @retry_transient
    async def take(cmd: commands.TakeReports) -> Counter[Taken]:
        return await handlers.take_reports(cmd, uow(), clock, policy)

    @retry_transient
    async def correct(cmd: commands.CorrectPeriod) -> Correction:
        return await corrections.correct_period(cmd, uow(), policy)

    @retry_transient
    async def sweep_step() -> handlers.Swept:
        cmd = commands.Sweep(settings.sweep_batch, progress.held_now())  # what it takes reports of
        return await handlers.sweep(cmd, uow(), clock, policy)

    sweeper = Sweeper(sweep_step, settings.sweep_interval_seconds, runtime.log)

    @retry_transient
    async def settle_owned(held: Held) -> int:
        cmd = commands.SettleOwnedTargets(held)
        return await handlers.settle_owned_targets(cmd, uow(), clock, policy)

    owned = OwnedTargets(progress, settle_owned, settings.owned_targets_seconds, runtime.log)
    mutes = silencing(runtime, settings, clock)
    if mail:  # silences and inhibition apply to email too
        mail.worker.muted = muted_by(mutes.muting)
    alerting = _alerting(runtime, settings, clock, mutes)
    alert_services = AlertServices(
        board=AlertBoardViews(db),
        deliveries=DeliveryViews(db),
        queue=MongoDeliveryQueue(db, lease=timedelta(seconds=settings.delivery_lease_seconds)),
        uow=lambda: MongoAlertUnitOfWork(runtime.unit_of_work()),
        clock=clock,
        muting=mutes.muting,
        live=LiveText(db, policy.alerts),
    )

    async def on_start() -> None:
        await repository.ensure_indexes(db)
        await view_journal.ensure_indexes(db, apart)
        await delivery_indexes(db)
        await recipients.ensure_indexes(db)
        await mail_queue.ensure_indexes(db)
        sweeper.start()
        owned.start()
        alerting.worker.start()
        await mutes.start(release=deliver)
        if mail:
            mail.worker.start()

    async def on_stop() -> None:
        await progress.drain()  # the batch in flight stored, its offsets committed
        if mail:
            await mail.worker.stop()
        await mutes.stop()
        await alerting.stop()
        await sweeper.stop()
        await owned.stop()

    app = runtime.create_app(
        title="Monitoring",
        description=DESCRIPTION,
        routers=[
            intake_router(take),
            corrections_router(correct, db, clock),
            progress_http.progress_router(MonitoringViews(db), AggregateViews(db), clock),
            alerts_router(alert_services),
            mutes.router(),
            aggregates_router(AggregateViews(db), DeclarationStore(db)),
            survey_router(AggregateViews(db), DeclarationStore(db), clock),
            learners_router(db, AggregateViews(db)),
            waiting_router(WaitingViews(db)),
            public_router(AggregateViews(db), clock),
        ],
        on_start=on_start,
        on_stop=on_stop,
        middleware=[
            Middleware(
                ReadsInTurn,
                limit=settings.reads_in_turn,
                share=settings.reads_share,
                busy=progress.in_flight.busy,
            )
        ],
    )
    app.state.principal_check = ActivePartnersOnly(db)
    app.state.progress = progress
    app.state.sweeper = sweeper
    app.state.alerting = alerting
    app.state.silencing = mutes
    app.state.mailing = mail
    return Monitoring(settings, runtime, app, progress, sweeper, alerting, correct)


def build_app(settings: Settings | None = None, clock: Clock = utc_now) -> FastAPI:
    return build(settings, clock).app
