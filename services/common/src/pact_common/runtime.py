"""Wires a service's infrastructure once: settings -> logger -> Mongo, broker, outbox relay,
dead letters, token verifier -> FastAPI app with a lifespan. No I/O at import time."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, Union

import uvicorn
from fastapi import APIRouter, FastAPI
from faststream.specification import AsyncAPI
from starlette.middleware import Middleware

from pact_contracts import Topic

from .auth import TokenVerifier
from .consuming import DeadLetters, Inbox
from .event_consumer import Apply, EventConsumer
from .http import install_common, ops_router
from .kafka import EventPublisher, make_broker
from .logging import configure_logging
from .mongo import Mongo
from .outbox import Outbox, OutboxRelay
from .rate_limits import RateLimit, RateLimiter, too_many_requests
from .settings import ServiceSettings
from .turns import LoopLag, settle_heap
from .unit_of_work import Transaction

Hook = Callable[[], Awaitable[None]]


#: the longest a stopping service waits for Kafka (well inside a 30 s grace period)
STOP_KAFKA_SECONDS = 10.0


class Runtime:
    def __init__(self, settings: ServiceSettings, logger: Any | None = None) -> None:
        self.settings = settings
        self.log = logger or configure_logging(
            settings.service_name, settings.log_level, settings.log_json
        )
        self.mongo = Mongo(settings.mongo_url, settings.mongo_db)
        self.broker = make_broker(settings, self.log)
        self.publisher = EventPublisher(self.broker, settings)
        self.outbox = Outbox(self.mongo.db)
        self.relay = OutboxRelay(
            self.mongo.db,
            self.publisher,
            service=settings.service_name,
            topic_namespace=settings.topic_namespace,
            poll_seconds=settings.outbox_poll_seconds,
            publish_at_once=settings.outbox_publish_at_once,
            logger=self.log,
        )
        self.loop_lag = LoopLag(settings.service_name)
        self.dead_letters = DeadLetters(
            self.publisher, settings.service_name, settings.topic_namespace
        )
        self.verifier = TokenVerifier(
            settings.jwt_public_key, settings.jwt_issuer, settings.jwt_audience
        )

    def unit_of_work(self) -> Transaction:
        return Transaction(self.mongo, self.outbox, self.relay)

    def event_consumer(
        self, topic: Topic, name: str, apply: Apply[Any], *, max_bytes: int = 1024 * 1024
    ) -> EventConsumer[Any]:
        """A consumer (group `<service>.<name>`) that applies a catalogue topic's events
        with this runtime's transactions, inbox, dead letters and logger; not subscribed."""
        return EventConsumer(
            name=name,
            settings=self.settings,
            adapter=topic.adapter,
            apply=apply,
            unit_of_work=self.unit_of_work,
            dead_letters=self.dead_letters,
            inbox=Inbox(self.mongo.db, self.settings.group(name)),
            max_bytes=max_bytes,
            logger=self.log,
        )

    def consume(
        self, topic: Topic, name: str, apply: Apply[Any], *, max_bytes: int = 1024 * 1024
    ) -> EventConsumer[Any]:
        """Subscribe `apply` to a catalogue topic as consumer group `<service>.<name>`."""
        consumer = self.event_consumer(topic, name, apply, max_bytes=max_bytes)
        consumer.subscribe(self.broker, self.settings.topic(topic), self.settings)
        return consumer

    async def kafka_ready(self) -> bool:
        try:
            return bool(await self.broker.ping(timeout=2.0))
        except Exception:  # noqa: BLE001 - readiness only reports
            return False

    def asyncapi(self) -> dict[str, Any]:
        spec = AsyncAPI(
            self.broker,
            title=f"{self.settings.service_name} events",
            version="1.0.0",
            description=f"What the {self.settings.service_name} service publishes and consumes.",
            schema_version="3.0.0",
        )
        document: dict[str, Any] = spec.to_specification().to_jsonable()
        return document

    def declare_publisher(self, topic: Topic) -> None:
        """Name a topic this service writes, with its event schema, in the AsyncAPI document."""
        schema: Any = topic.events[0] if len(topic.events) == 1 else Union[topic.events]  # noqa: UP007
        self.broker.publisher(
            self.settings.topic(topic),
            schema=schema,
            description=topic.description,
            title=f"{self.settings.topic(topic)}:publish",
        )

    async def start(self, *, relay: bool = True) -> None:
        await self.outbox.ensure_indexes()
        await self.broker.start()
        if relay:
            self.relay.start()
        self.loop_lag.start()
        self.log.info("started", kafka=self.settings.kafka_bootstrap, db=self.settings.mongo_db)

    async def stop(self) -> None:
        await self.loop_lag.stop()
        await self.relay.stop()
        try:
            # a consumer leaving its group commits and says goodbye to the broker; a broker
            # that does not answer must not hold the process past its orchestrator's grace
            # period (offsets not committed are read again: consumers are idempotent)
            async with asyncio.timeout(STOP_KAFKA_SECONDS):
                await self.broker.stop()
        except TimeoutError:
            self.log.warning("kafka did not stop in time; left without a goodbye",
                             seconds=STOP_KAFKA_SECONDS)  # fmt: skip
        await self.mongo.close()
        self.log.info("stopped")

    def create_app(
        self,
        *,
        title: str,
        description: str,
        routers: Sequence[APIRouter],
        on_start: Hook | None = None,
        on_stop: Hook | None = None,
        middleware: Sequence[Middleware] = (),
    ) -> FastAPI:
        """`middleware`: the service's own, inside the rate limits (a client over its limit
        is answered at once, never queued behind them)."""

        @contextlib.asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            if on_start is not None:
                await on_start()  # indexes, seed data: before consumers start
            await self.start()
            if getattr(app.state, "own_process", False):  # serve(): the process is ours
                settle_heap()  # start-up's objects out of the collector's way (turns.py)
            try:
                yield
            finally:
                if on_stop is not None:
                    await on_stop()
                await self.stop()

        app = FastAPI(title=title, description=description, version="1.0.0", lifespan=lifespan)
        install_common(app, self.settings.max_body_bytes)
        for m in middleware:
            app.add_middleware(m.cls, *m.args, **m.kwargs)
        limiter = RateLimiter(self.settings.rate_limit, self.settings.rate_limit_anonymous)
        app.add_middleware(
            RateLimit, limiter=limiter, verifier=self.verifier, service=self.settings.service_name
        )
        app.include_router(
            ops_router({"mongo": self.mongo.ping, "kafka": self.kafka_ready}, self.asyncapi)
        )
        for router in routers:
            app.include_router(router, responses=too_many_requests())
        app.state.runtime = self
        return app


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    """Run one service process (HTTP, consumers and outbox relay) until SIGINT/SIGTERM."""
    app.state.own_process = True
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=10,
    )
