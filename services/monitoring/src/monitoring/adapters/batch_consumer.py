"""The hot path's consumer: the progress topic in batches (FastStream `batch=True`), each batch
decided and stored in one transaction, and only then its offsets committed.

Modelled on pact_common.consumer.EventConsumer, with two differences: messages that cannot
be read are rejected to monitoring.progress-rejected.v1 (where partners look), not
dead-lettered; and deduplication is per batch (Inbox.new_ids/record in the handler)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any, cast

from aiokafka import ConsumerRecord
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.message import StreamMessage
from prometheus_client import Counter as Metric

from pact_common.consuming import Record
from pact_common.kafka import subscriber_options
from pact_common.metrics import APPLIED, CONSUMED, DEAD_LETTERED, DUPLICATES, HANDLER_SECONDS
from pact_common.settings import ServiceSettings

from ..domain.commands import TakeReports, Unreadable
from ..domain.intake import Taken
from ..domain.model import Report
from .reports import read

REPORTS = Metric(
    "pact_progress_reports_total",
    "Progress reports taken, by outcome (applied, replaced, duplicate, parked, rejected)",
    ["outcome"],
)

Take = Callable[[TakeReports], Awaitable[Counter[Taken]]]


class ProgressConsumer:
    def __init__(
        self,
        *,
        name: str,
        settings: ServiceSettings,
        take: Take,
        max_records: int = 500,
        logger: Any = None,
    ) -> None:
        self.name = name
        self.group = settings.group(name)
        self._service = settings.service_name
        self._take = take
        self._max_records = max_records
        self._log = logger

    async def handle(self, records: Sequence[Record]) -> Counter[Taken]:
        if not records:
            return Counter()
        started = time.perf_counter()
        topic = records[0].topic
        CONSUMED.labels(self._service, topic).inc(len(records))
        reports: list[Report] = []
        unreadable: list[Unreadable] = []
        for record in records:
            item = read(record)
            if isinstance(item, Report):
                reports.append(item)
            else:
                unreadable.append(item)
        counts = await self._take(TakeReports(reports, unreadable))
        for outcome, n in counts.items():
            REPORTS.labels(outcome.value).inc(n)
        APPLIED.labels(self._service, topic).inc(counts[Taken.APPLIED] + counts[Taken.REPLACED])
        DUPLICATES.labels(self._service, topic).inc(counts[Taken.DUPLICATE])
        for u in unreadable:
            DEAD_LETTERED.labels(self._service, topic, u.reason.value).inc()
        HANDLER_SECONDS.labels(self._service, topic).observe(time.perf_counter() - started)
        if self._log is not None:
            self._log.debug(
                "progress batch",
                topic=topic,
                records=len(records),
                **{k.value: v for k, v in counts.items()},
            )
        return counts

    def subscribe(self, broker: KafkaBroker, topic: str, settings: ServiceSettings) -> None:
        """Register on the broker (before it starts) as `on_progress_reported`."""

        async def on_progress_reported(msg: KafkaMessage) -> None:
            raw = msg.raw_message
            records = raw if isinstance(raw, tuple) else (raw,)
            await self.handle(cast(Sequence[Record], records))

        options = subscriber_options(settings, self.name, batch=True, max_records=self._max_records)
        broker.subscriber(topic, parser=utf8_headers, decoder=undecoded, **options)(
            on_progress_reported
        )


# FastStream reads every message before the handler runs: it decodes each header value as
# UTF-8 and parses JSON bodies, and raises on some (a header value that is not UTF-8 or is
# null, a content-type header over something else, nesting deeper than Python's recursion
# limit). The batch would fail and come back forever, so that one message sent by anyone
# stopped the hot path. read() decodes each record itself.


async def utf8_headers(records: tuple[ConsumerRecord[Any, Any], ...], original: Any) -> Any:
    """FastStream's parser, given header values it can decode: a null one as empty, bytes
    that are not UTF-8 as U+FFFD (a signature made of them is wrong either way)."""
    return await original(tuple(_with_utf8_headers(r) for r in records))


def _with_utf8_headers(record: ConsumerRecord[Any, Any]) -> ConsumerRecord[Any, Any]:
    headers = list(record.headers or ())
    readable = [(key, _utf8(value)) for key, value in headers]
    return record if readable == headers else replace(record, headers=tuple(readable))


def _utf8(value: bytes | None) -> bytes:
    if value is None:
        return b""
    return bytes(value).decode("utf-8", errors="replace").encode()


async def undecoded(msg: StreamMessage[Any]) -> Any:
    """The bodies as they came (FastStream's decoder would parse them)."""
    return msg.body
