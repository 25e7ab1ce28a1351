"""One way to consume a topic: decode against the contract (or dead-letter), then apply
the event once, its effect and its event_id stored in one transaction, and only then
commit the offset."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar, cast

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import TypeAdapter

from .consuming import DeadLetters, Decoded, Inbox, Record, decode
from .kafka import subscriber_options
from .metrics import APPLIED, CONSUMED, DUPLICATES, HANDLER_SECONDS
from .settings import ServiceSettings
from .unit_of_work import Transaction, retry_transient

E = TypeVar("E")
Apply = Callable[[Transaction, E], Awaitable[None]]


class EventConsumer(Generic[E]):
    def __init__(
        self,
        *,
        name: str,
        settings: ServiceSettings,
        adapter: TypeAdapter[E],
        apply: Apply[E],
        unit_of_work: Callable[[], Transaction],
        dead_letters: DeadLetters,
        inbox: Inbox,
        max_bytes: int = 1024 * 1024,
        logger: Any = None,
    ) -> None:
        self.name = name
        self.group = settings.group(name)
        self._service = settings.service_name
        self._adapter = adapter
        self._apply = apply
        self._uow = unit_of_work
        self._dead_letters = dead_letters
        self._inbox = inbox
        self._max_bytes = max_bytes
        self._log = logger

    async def handle(self, record: Record) -> str:
        """Returns what happened: applied, duplicate or dead-lettered."""
        started = time.perf_counter()
        CONSUMED.labels(self._service, record.topic).inc()
        decoded = decode(self._adapter, record.value, self._max_bytes)
        if not isinstance(decoded, Decoded):
            await self._dead_letters.send(record, self.group, decoded)
            if self._log is not None:
                self._log.warning(
                    "dead-lettered",
                    topic=record.topic,
                    offset=record.offset,
                    reason=decoded.reason,
                    error=decoded.error,
                )
            return "dead-lettered"
        outcome = await self._apply_once(decoded.event)
        (APPLIED if outcome == "applied" else DUPLICATES).labels(self._service, record.topic).inc()
        HANDLER_SECONDS.labels(self._service, record.topic).observe(time.perf_counter() - started)
        return outcome

    @retry_transient
    async def _apply_once(self, event: E) -> str:
        async with self._uow() as uow:
            if not await self._inbox.claim(uow.session, getattr(event, "event_id")):  # noqa: B009
                return "duplicate"
            await self._apply(uow, event)
            await uow.commit()
        return "applied"

    def subscribe(self, broker: KafkaBroker, topic: str, settings: ServiceSettings) -> None:
        """Register on the broker (before it starts) as `on_<name>`."""

        async def handler(msg: KafkaMessage) -> None:
            await self.handle(cast(Record, msg.raw_message))

        handler.__name__ = f"on_{self.name.replace('-', '_')}"
        broker.subscriber(topic, **subscriber_options(settings, self.name))(handler)
