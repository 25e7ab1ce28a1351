"""Builds the commitments service: settings -> runtime -> repositories, handlers -> app.
Nothing here does I/O until the app starts."""

from __future__ import annotations

from fastapi import FastAPI

from pact_common.clock import Clock, utc_now
from pact_common.runtime import Runtime

from .adapters import calls, repository
from .adapters.unit_of_work import MongoUnitOfWork
from .adapters.views import CommitmentViews
from .config import Settings
from .entrypoints import calls_http, consumers
from .entrypoints.http import Services, router

DESCRIPTION = """Partners' commitments under the Pact for Skills (what, where, for whom, by
when, with milestones), their amendments and history, and the partnerships' common
targets. Progress toward them is the monitoring service's."""


def build_app(settings: Settings | None = None, clock: Clock = utc_now) -> FastAPI:
    settings = settings or Settings()
    runtime = Runtime(settings)
    consumers.register(runtime)
    services = Services(
        uow=lambda: MongoUnitOfWork(runtime.unit_of_work()),
        views=CommitmentViews(runtime.mongo.db),
        clock=clock,
    )

    async def on_start() -> None:
        await repository.ensure_indexes(runtime.mongo.db)
        await calls.ensure_indexes(runtime.mongo.db)

    app = runtime.create_app(
        title="Commitments",
        description=DESCRIPTION,
        routers=[router, calls_http.router],
        on_start=on_start,
    )
    app.state.services = services
    return app
