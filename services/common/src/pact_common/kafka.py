"""The FastStream Kafka broker and how every service subscribes and publishes."""

from __future__ import annotations

import asyncio
import functools
from dataclasses import replace
from typing import Any

from aiokafka.partitioner import murmur2
from aiokafka.structs import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage
from faststream.security import SASLScram512
from pydantic import BaseModel

from pact_contracts import Event, key_for, topic_for

from .settings import ServiceSettings


@functools.lru_cache(maxsize=65_536)  # a head is written at every batch that touches it
def key_hash(key: str) -> int:
    """The hash Kafka's default partitioner (murmur2, as the Java client and aiokafka) takes
    of a record's key: the record goes to partition `key_hash(key) % partitions`. Kept on
    what a key owns, so that whoever holds a partition can find what it owns, whatever the
    topic's partition count."""
    return int(murmur2(key.encode("utf-8"))) & 0x7FFFFFFF


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
    """No idempotent or transactional producer: consumers are idempotent instead. No
    compression: events are small JSON documents sent as they happen (alerts among them), and
    gzip cost CPU and latency on every batch for little saved."""
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
        linger_ms=settings.kafka_linger_ms,
    )


# FastStream reads every message before the handler runs: it decodes each header value as
# UTF-8 and parses JSON bodies, and raises on some (a header value that is not UTF-8 or is
# null, a JSON content-type over something else, nesting deeper than Python's recursion
# limit). The message would fail and come back forever, so that one message sent by anyone
# would stop a consumer. Consumers decode bodies themselves (pact_common.consuming.decode).


async def undecoded(msg: StreamMessage[Any]) -> Any:
    """The body as it came."""
    return msg.body


async def utf8_headers(records: Any, original: Any) -> Any:
    """FastStream's parser, given header values it can decode (one record or a batch): a
    null one as empty, bytes that are not UTF-8 as U+FFFD (a signature made of them is wrong
    either way)."""
    if isinstance(records, tuple):
        return await original(tuple(with_utf8_headers(r) for r in records))
    return await original(with_utf8_headers(records))


def with_utf8_headers(record: ConsumerRecord[Any, Any]) -> ConsumerRecord[Any, Any]:
    """The record as `utf8_headers` hands it on (for records read past FastStream)."""
    headers = list(record.headers or ())
    readable = [(key, _utf8(value)) for key, value in headers]
    return record if readable == headers else replace(record, headers=tuple(readable))


def _utf8(value: bytes | None) -> bytes:
    if value is None:
        return b""
    return bytes(value).decode("utf-8", errors="replace").encode()


def subscriber_options(settings: ServiceSettings, group: str, **overrides: Any) -> dict[str, Any]:
    """Every subscription: a stated group, earliest with committed offsets, and offsets
    committed only after the effect is stored (an error nacks: the message comes again)."""
    options: dict[str, Any] = {
        "group_id": settings.group(group),
        "auto_offset_reset": "earliest",
        "ack_policy": AckPolicy.NACK_ON_ERROR,
        "session_timeout_ms": settings.kafka_session_timeout_ms,
        "heartbeat_interval_ms": max(100, settings.kafka_session_timeout_ms // 5),
        "parser": utf8_headers,
        "decoder": undecoded,
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
        await self.enqueue_raw(topic, key, value, event, confirm=True)

    async def enqueue_raw(
        self,
        topic: str,
        key: bytes,
        value: bytes,
        event: BaseModel | None = None,
        *,
        confirm: bool = False,
    ) -> Any:
        """Hands the message to the producer and returns the future of its acknowledgement
        (awaited here when `confirm`): messages enqueued one after the other keep their order,
        and go out together (in one send, or in the next while one is in flight)."""
        headers = {"content-type": "application/json"}
        if event is not None:
            headers["event_type"] = str(getattr(event, "event_type", ""))
        return await self._broker.publish(
            value, topic, key=key, headers=headers, no_confirm=not confirm
        )
