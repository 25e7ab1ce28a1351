"""The FastStream Kafka broker and how every service subscribes and publishes."""

from __future__ import annotations

import asyncio
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.security import SASLScram512
from pydantic import BaseModel

from pact_contracts import Event, key_for, topic_for

from .settings import ServiceSettings


class PlatformBroker(KafkaBroker):
    """FastStream's Kafka broker, starting its subscribers together rather than one after
    another: each waits for its consumer group to admit it (about half the session timeout
    on the local broker), so a service with several subscriptions starts that much sooner."""

    async def start(self) -> None:
        await self.connect()
        await asyncio.gather(*(subscriber.start() for subscriber in self.subscribers))
        for publisher in self.publishers:
            await publisher.start()
        self.running = True


def make_broker(settings: ServiceSettings, logger: Any) -> KafkaBroker:
    """No idempotent or transactional producer: consumers are idempotent instead."""
    security = None
    if settings.kafka_sasl_username and settings.kafka_sasl_password:
        security = SASLScram512(
            settings.kafka_sasl_username,
            settings.kafka_sasl_password.get_secret_value(),
            use_ssl=settings.kafka_use_tls,
        )
    return PlatformBroker(
        settings.kafka_bootstrap,
        security=security,
        client_id=settings.service_name,
        logger=logger,
        enable_idempotence=False,
        acks="all",
        linger_ms=5,
        compression_type="gzip",
    )


def subscriber_options(settings: ServiceSettings, group: str, **overrides: Any) -> dict[str, Any]:
    """Every subscription: a stated group, earliest with committed offsets, and offsets
    committed only after the effect is stored (an error nacks: the message comes again)."""
    options: dict[str, Any] = {
        "group_id": settings.group(group),
        "auto_offset_reset": "earliest",
        "ack_policy": AckPolicy.NACK_ON_ERROR,
        "session_timeout_ms": settings.kafka_session_timeout_ms,
        "heartbeat_interval_ms": max(100, settings.kafka_session_timeout_ms // 5),
    }
    options.update(overrides)
    return options


class EventPublisher:
    """Publishes contract events to their catalogue topic with their partition key."""

    def __init__(self, broker: KafkaBroker, settings: ServiceSettings) -> None:
        self._broker = broker
        self._settings = settings

    async def publish(self, event: Event) -> None:
        await self.publish_raw(
            self._settings.topic(topic_for(event)), key_for(event), event.to_bytes(), event
        )

    async def publish_raw(
        self, topic: str, key: bytes, value: bytes, event: BaseModel | None = None
    ) -> None:
        headers = {"content-type": "application/json"}
        if event is not None:
            headers["event_type"] = str(getattr(event, "event_type", ""))
        await self._broker.publish(value, topic, key=key, headers=headers)
