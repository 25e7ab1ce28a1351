"""The services under security test, in one table: adding a service is one more entry.

`running()` starts them all in-process (HTTP, consumers, outbox relays) on the real mongod
and broker, in ONE topic namespace, so the registry's partner events reach commitments and
monitoring exactly as in production."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute
from pymongo import AsyncMongoClient

from pact_common.settings import ServiceSettings
from tests.conftest import MONGO_URL
from tests.support.runtime import settings_for_test

Endpoint = str  # "METHOD /path/{template}"


@dataclass(frozen=True)
class Service:
    """A service of the platform, by the shape they all share: `<name>.bootstrap.build_app`
    and `<name>.config.Settings` (imported when used, so one service's import error fails its
    own tests, not the collection of every test)."""

    name: str

    def build_app(self, settings: ServiceSettings) -> FastAPI:
        build: Callable[[ServiceSettings], FastAPI]
        build = importlib.import_module(f"{self.name}.bootstrap").build_app
        return build(settings)

    def settings_for(self, namespace: str, **overrides: Any) -> ServiceSettings:
        settings: type[ServiceSettings] = importlib.import_module(f"{self.name}.config").Settings
        database = f"{namespace.rstrip('.')}-{self.name}"
        return settings_for_test(settings, namespace, database, **overrides)


SERVICES: tuple[Service, ...] = (
    Service("registry"),
    Service("commitments"),
    Service("monitoring"),
)
BY_NAME = {s.name: s for s in SERVICES}


DIGITAL = "digital-ecosystem"


def pledge_body(**changes: Any) -> dict[str, Any]:
    """A pledge any active member of the Digital Ecosystem partnership may make today."""
    today = datetime.now(UTC).date()
    return {
        "partnership_id": DIGITAL,
        "title": "Cloud and cybersecurity skills for 5,000 workers",
        "principle": "lifelong_learning",
        "action_type": "reskilling",
        "specialisations": ["cloud", "cybersecurity"],
        "levels": ["advanced"],
        "countries": ["DE", "FR"],
        "target_value": 5000,
        "start_date": (today - timedelta(days=90)).isoformat(),
        "deadline": (today + timedelta(days=730)).isoformat(),
        "cadence": "quarterly",
    } | changes


def endpoints(app: FastAPI) -> set[Endpoint]:
    """Every endpoint a service answers: its OpenAPI operations, and the routes left out of
    the document (the documentation pages themselves), so none can be forgotten."""
    found = {
        f"{method.upper()} {path}"
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    for route in app.routes:
        if not isinstance(route, APIRoute) and hasattr(route, "methods"):
            found |= {f"{m} {route.path}" for m in route.methods or () if m != "HEAD"}
    return found


def documented(app: FastAPI, endpoint: Endpoint) -> set[int] | None:
    """The status codes the OpenAPI document promises for an endpoint (None: not in it)."""
    method, path = endpoint.split(" ")
    operation = app.openapi()["paths"].get(path, {}).get(method.lower())
    return None if operation is None else {int(code) for code in operation["responses"]}


@dataclass
class Running:
    service: Service
    app: FastAPI
    client: httpx.AsyncClient
    settings: ServiceSettings
    db: Any


@contextlib.asynccontextmanager
async def running(
    namespace: str, services: tuple[Service, ...] = SERVICES
) -> AsyncIterator[dict[str, Running]]:
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO_URL, tz_aware=True)
    started: dict[str, Running] = {}
    try:
        async with contextlib.AsyncExitStack() as stack:
            for service in services:
                settings = service.settings_for(namespace)
                app = service.build_app(settings)
                await stack.enter_async_context(app.router.lifespan_context(app))
                client = await stack.enter_async_context(
                    httpx.AsyncClient(
                        transport=httpx.ASGITransport(app=app), base_url=f"http://{service.name}"
                    )
                )
                started[service.name] = Running(
                    service, app, client, settings, mongo[settings.mongo_db]
                )
            yield started
    finally:
        for run in started.values():
            await mongo.drop_database(run.settings.mongo_db)
        await mongo.close()
