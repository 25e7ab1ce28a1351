"""One way to consume a topic: decode against the contract (or dead-letter), then apply
the event once, its effect and its event_id stored in one transaction, and only then
commit the offset."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
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


@dataclass(kw_only=True, eq=False)
class EventConsumer(Generic[E]):
    """Consumer group `<service>.<name>`: decodes with `adapter`, applies with `apply` in a
    transaction of `unit_of_work`, remembers event_ids in `inbox`."""

    name: str
    settings: ServiceSettings
    adapter: TypeAdapter[E]
    apply: Apply[E]
    unit_of_work: Callable[[], Transaction]
    dead_letters: DeadLetters
    inbox: Inbox
    max_bytes: int = 1024 * 1024
    logger: Any = None

    @property
    def group(self) -> str:
        return self.settings.group(self.name)

    async def handle(self, record: Record) -> str:
        """Returns what happened: applied, duplicate or dead-lettered."""
        started = time.perf_counter()
        service = self.settings.service_name
        CONSUMED.labels(service, record.topic).inc()
        decoded = decode(self.adapter, record.value, self.max_bytes)
        if not isinstance(decoded, Decoded):
            await self.dead_letters.send(record, self.group, decoded)
            if self.logger is not None:
                self.logger.warning(
                    "dead-lettered",
                    topic=record.topic,
                    offset=record.offset,
                    reason=decoded.reason,
                    error=decoded.error,
                )
            return "dead-lettered"
        outcome = await self._apply_once(decoded.event)
        (APPLIED if outcome == "applied" else DUPLICATES).labels(service, record.topic).inc()
        HANDLER_SECONDS.labels(service, record.topic).observe(time.perf_counter() - started)
        return outcome

    @retry_transient
    async def _apply_once(self, event: E) -> str:
        async with self.unit_of_work() as uow:
            if not await self.inbox.claim(uow.session, getattr(event, "event_id")):  # noqa: B009
                return "duplicate"
            await self.apply(uow, event)
            await uow.commit()
        return "applied"

    def subscribe(self, broker: KafkaBroker, topic: str, settings: ServiceSettings) -> None:
        """Register on the broker (before it starts) as `on_<name>`."""

        async def handler(msg: KafkaMessage) -> None:
            await self.handle(cast(Record, msg.raw_message))

        handler.__name__ = f"on_{self.name.replace('-', '_')}"
        broker.subscriber(topic, **subscriber_options(settings, self.name))(handler)
