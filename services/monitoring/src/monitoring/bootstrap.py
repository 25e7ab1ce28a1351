"""Builds monitoring: settings -> runtime -> repositories, handlers, consumers, sweep -> app.
Nothing here does I/O until the app starts. The clock is injectable (tests move time)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from monitoring.config import Settings
from monitoring.core.adapters import repository
from monitoring.core.adapters.report_codec import KafkaReportPublisher, verify_signature
from monitoring.core.adapters.unit_of_work import MongoUnitOfWork
from monitoring.core.domain import commands
from monitoring.core.domain.rules import AlertConfig
from monitoring.core.entrypoints import consumers
from monitoring.core.entrypoints.http import Services, router
from monitoring.core.entrypoints.sweeper import Sweeper
from monitoring.core.service_layer import handlers
from monitoring.notify.wiring import build_alerting
from monitoring.views.adapters.progress_views import MonitoringViews
from monitoring.views.entrypoints import dashboard
from pact_common.consuming import Inbox
from pact_common.runtime import Runtime
from pact_common.unit_of_work import MongoUnitOfWork as Transaction
from pact_common.unit_of_work import retry_transient
from pact_contracts import PROGRESS_REPORTED

DESCRIPTION = """Live progress of every commitment and partnership target of the Digital
Ecosystem Skills Partnership, from the progress reports partner systems send (Kafka topic
partners.progress-reported.v1, or `POST /progress`); alerts on monitoring.alerts.v1 when
targets are missed or about to be."""


def policy_of(settings: Settings) -> handlers.Policy:
    return handlers.Policy(
        alerts=AlertConfig(settings.at_risk_tolerance, settings.at_risk_min_elapsed),
        park_for=timedelta(seconds=settings.park_seconds),
        park_limit=settings.park_limit_per_partner,
        verify=verify_signature,
    )


def build_app(
    settings: Settings | None = None, clock: handlers.Clock = handlers.utc_now
) -> FastAPI:
    settings = settings or Settings()
    runtime = Runtime(settings)
    policy = policy_of(settings)
    inbox = Inbox(runtime.mongo.db, settings.group(consumers.PROGRESS))

    def uow() -> MongoUnitOfWork:
        return MongoUnitOfWork(runtime.unit_of_work(), inbox)

    def joined(tx: Transaction) -> MongoUnitOfWork:
        return MongoUnitOfWork(tx, inbox, joined=True)

    consumers.register(
        runtime,
        uow=uow,
        joined=joined,
        clock=clock,
        policy=policy,
        max_records=settings.progress_batch_max_records,
    )
    alerting = build_alerting(runtime, settings, clock)

    @retry_transient
    async def sweep_step() -> handlers.Swept:
        return await handlers.sweep(commands.Sweep(settings.sweep_batch), uow(), clock, policy)

    sweeper = Sweeper(sweep_step, settings.sweep_interval_seconds, runtime.log)
    services = Services(
        views=MonitoringViews(runtime.mongo.db),
        publisher=KafkaReportPublisher(runtime.broker, settings.topic(PROGRESS_REPORTED)),
    )

    async def on_start() -> None:
        await repository.ensure_indexes(runtime.mongo.db)
        sweeper.start()
        await alerting.start()

    async def on_stop() -> None:
        await alerting.stop()
        await sweeper.stop()

    app = runtime.create_app(
        title="Monitoring",
        description=DESCRIPTION,
        routers=[router, dashboard.router, *alerting.routers],
        on_start=on_start,
        on_stop=on_stop,
    )
    app.state.services = services
    app.state.sweeper = sweeper
    app.state.alerting = alerting
    return app
