"""The hot path's consumer: the progress topic in batches (FastStream `batch=True`), each batch
decided and stored in one transaction, and only then its offsets committed.

Modelled on pact_common.event_consumer.EventConsumer, with two differences: messages that cannot
be read are rejected to monitoring.progress-rejected.v1 (where partners look), not
dead-lettered; and deduplication is per batch (Inbox.new_ids/record in the handler)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from prometheus_client import Counter as Metric

from monitoring.core.adapters.report_codec import read
from monitoring.core.domain.commands import TakeReports, Unreadable
from monitoring.core.domain.intake import Taken
from monitoring.core.domain.model import Report
from pact_common.consuming import Record
from pact_common.kafka import subscriber_options
from pact_common.metrics import APPLIED, CONSUMED, DEAD_LETTERED, DUPLICATES, HANDLER_SECONDS
from pact_common.settings import ServiceSettings
from pact_common.turns import collecting_after, paced

REPORTS = Metric(
    "pact_progress_reports_total",
    "Progress reports taken, by outcome (applied, replaced, duplicate, parked, rejected)",
    ["outcome"],
)

Take = Callable[[TakeReports], Awaitable[Counter[Taken]]]


@dataclass(kw_only=True, eq=False)
class ProgressConsumer:
    """Consumer group `<service>.<name>`: hands each batch, read, to `take`."""

    name: str
    settings: ServiceSettings
    take: Take
    max_records: int = 500
    #: how long the broker may hold a fetch that finds nothing new, and how long FastStream
    #: waits for a batch before it looks again (it then sleeps as long once more): together
    #: the most a report waits to be taken when the consumer was idle
    fetch_wait_ms: int = 500
    idle_ms: int = 200
    logger: Any = None

    @property
    def group(self) -> str:
        return self.settings.group(self.name)

    async def handle(self, records: Sequence[Record]) -> Counter[Taken]:
        if not records:
            return Counter()
        started = time.perf_counter()
        topic, service = records[0].topic, self.settings.service_name
        CONSUMED.labels(service, topic).inc(len(records))
        reports: list[Report] = []
        unreadable: list[Unreadable] = []
        async for record in paced(records):  # the loop's other work gets turns
            item = read(record)
            if isinstance(item, Report):
                reports.append(item)
            else:
                unreadable.append(item)
        counts = await self.take(TakeReports(reports, unreadable))
        for outcome, n in counts.items():
            REPORTS.labels(outcome.value).inc(n)
        APPLIED.labels(service, topic).inc(counts[Taken.APPLIED] + counts[Taken.REPLACED])
        DUPLICATES.labels(service, topic).inc(counts[Taken.DUPLICATE])
        for u in unreadable:
            DEAD_LETTERED.labels(service, topic, u.reason.value).inc()
        HANDLER_SECONDS.labels(service, topic).observe(time.perf_counter() - started)
        if self.logger is not None:
            self.logger.debug(
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
            with collecting_after():  # a batch's working set dies with it (turns.py)
                await self.handle(cast(Sequence[Record], records))

        options = subscriber_options(
            settings,
            self.name,
            batch=True,
            max_records=self.max_records,
            fetch_max_wait_ms=self.fetch_wait_ms,
            batch_timeout_ms=self.idle_ms,
        )
        broker.subscriber(topic, **options)(on_progress_reported)
