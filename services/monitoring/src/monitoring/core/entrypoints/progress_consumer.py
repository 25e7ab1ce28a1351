"""The hot path's consumer: the progress topic in batches (FastStream `batch=True`), each batch
decided and stored in one transaction, and only then its offsets committed.

Modelled on pact_common.event_consumer.EventConsumer, with two differences: messages that cannot
be read are rejected to monitoring.progress-rejected.v1 (where partners look), not
dead-lettered; and deduplication is per batch (Inbox.new_ids/record in the handler)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from prometheus_client import Counter as Metric

from monitoring.core.adapters.report_codec import read
from monitoring.core.domain.commands import TakeReports, Unreadable
from monitoring.core.domain.intake import Taken
from monitoring.core.domain.model import Report
from monitoring.core.domain.ownership import EVERYTHING, Held
from pact_common.consuming import Record
from pact_common.in_flight import Consumer, InFlight, first_offsets
from pact_common.kafka import subscriber_options, with_utf8_headers
from pact_common.metrics import APPLIED, CONSUMED, DEAD_LETTERED, DUPLICATES, HANDLER_SECONDS
from pact_common.settings import ServiceSettings
from pact_common.turns import collecting_after, paced

REPORTS = Metric(
    "pact_progress_reports_total",
    "Progress reports taken, by outcome (applied, replaced, duplicate, parked, rejected)",
    ["outcome"],
)

#: reports keyed the way they were until 2026-12-06; a partner named here is one to ask to
#: key by partner_id (with several instances such reports make them conflict more often)
COMMITMENT_KEYED = Metric(
    "pact_progress_reports_commitment_keyed_total",
    "Progress reports taken with their commitment_id as the Kafka key (the key before "
    "2026-12-06) rather than their partner_id, by partner",
    ["partner"],
)

Take = Callable[[TakeReports], Awaitable[Counter[Taken]]]
#: while a batch is stored, how often the batch read early takes what the consumer fetched
#: since (ProgressConsumer._topped_up)
TOP_UP_SECONDS = 0.02


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
    in_flight: InFlight = field(init=False)
    #: what the instance held of the topic at its last batch (domain/ownership.py)
    held: Held = EVERYTHING
    #: the consumer and topic of the last batch: what it holds now (`held_now`)
    consumer: Consumer | None = None
    topic: str = ""
    #: held while a batch is stored
    storing: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: the partners whose reports keyed by commitment_id were logged (once each)
    commitment_keyed: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.in_flight = InFlight(self.logger)

    @property
    def group(self) -> str:
        return self.settings.group(self.name)

    async def handle(self, records: Sequence[Record]) -> Counter[Taken]:
        """Read and store one batch (a rebuild's replay: no batch in flight)."""
        if not records:
            return Counter()
        started = time.perf_counter()
        cmd = await self.read(records)
        return await self.store(records, cmd, time.perf_counter() - started)

    async def read(self, records: Sequence[Record], held: Held = EVERYTHING) -> TakeReports:
        """Decode and validate each record (no I/O): the batch before may be in flight.
        `held`: what the instance holds of the topic (domain/ownership.py)."""
        reports: list[Report] = []
        unreadable: list[Unreadable] = []
        async for record in paced(records):  # the loop's other work gets turns
            item = read(record)
            if isinstance(item, Report):
                reports.append(item)
                if record.key is not None and record.key != item.partner_id.encode():
                    self._keyed_by_commitment(item)  # read() refused any other key
            else:
                unreadable.append(item)
        return TakeReports(reports, unreadable, held)

    def _keyed_by_commitment(self, report: Report) -> None:
        COMMITMENT_KEYED.labels(report.partner_id).inc()
        if report.partner_id not in self.commitment_keyed and self.logger is not None:
            self.commitment_keyed.add(report.partner_id)
            self.logger.info(
                "progress reports keyed by commitment_id",
                partner_id=report.partner_id,
                commitment_id=report.commitment_id,
                hint="a progress report's Kafka key is its partner_id",
            )

    async def store(
        self, records: Sequence[Record], cmd: TakeReports, read_seconds: float
    ) -> Counter[Taken]:
        started = time.perf_counter()
        topic, service = records[0].topic, self.settings.service_name
        CONSUMED.labels(service, topic).inc(len(records))
        async with self.storing:  # not beside the owned targets' evaluation (targets.py)
            counts = await self.take(cmd)
        for outcome, n in counts.items():
            REPORTS.labels(outcome.value).inc(n)
        APPLIED.labels(service, topic).inc(counts[Taken.APPLIED] + counts[Taken.REPLACED])
        DUPLICATES.labels(service, topic).inc(counts[Taken.DUPLICATE])
        for u in cmd.unreadable:
            DEAD_LETTERED.labels(service, topic, u.reason.value).inc()
        stored = time.perf_counter() - started
        HANDLER_SECONDS.labels(service, topic).observe(read_seconds + stored)
        if self.logger is not None:
            self.logger.debug(
                "progress batch",
                topic=topic,
                records=len(records),
                lane=cmd.held.lane,
                read_ms=round(read_seconds * 1000, 1),
                stored_ms=round(stored * 1000, 1),
                **{k.value: v for k, v in counts.items()},
            )
        return counts

    async def _topped_up(
        self, consumer: Consumer, records: Sequence[Record], cmd: TakeReports
    ) -> tuple[Sequence[Record], TakeReports]:
        """The batch read while the one before is stored, and the reports the consumer has
        fetched since, up to `max_records` in all: without them, a report that came while a
        batch was stored would wait for the next batch to be stored too (a batch's time more
        of alert latency). Nothing is waited for: only what the consumer holds already."""
        room = self.max_records - len(records)
        getmany = getattr(consumer, "getmany", None)
        if room <= 0 or getmany is None:
            return records, cmd
        fetched = await getmany(timeout_ms=0, max_records=room)  # waits only in a rebalance
        # its one topic's, as FastStream's parser hands them on (pact_common.kafka)
        more = [with_utf8_headers(r) for batch in fetched.values() for r in batch]
        if not more:
            return records, cmd
        if self.in_flight.failed():  # it rewound while getmany waited: these may come after
            self.in_flight.rewind(consumer, first_offsets(more))  # hand() rewinds the rest
            return records, cmd
        records = (*records, *more)
        try:
            self.held = held_of(consumer, records)
            extra = await self.read(more, self.held)
        except Exception:  # the caller rewinds the batch's own partitions
            self.in_flight.rewind(consumer, first_offsets(more))
            raise
        return records, TakeReports(
            [*cmd.reports, *extra.reports], [*cmd.unreadable, *extra.unreadable], self.held
        )

    def held_now(self) -> Held:
        """What the instance holds of the topic now: its consumer's assignment, which a
        rebalance changes with no batch (an instance left alone by the others holds their
        partitions before any report of theirs comes; during a rebalance, none); as of the
        last batch if the consumer does not say, or has taken none yet."""
        if self.consumer is None or getattr(self.consumer, "assignment", None) is None:
            return self.held
        return assigned(self.consumer, self.topic)

    async def drain(self) -> None:
        """Closing: the batch in flight stored and its offsets committed."""
        await self.in_flight.drain()

    def subscribe(self, broker: KafkaBroker, topic: str, settings: ServiceSettings) -> None:
        """Register on the broker (before it starts) as `on_progress_reported`: each batch is
        read while the one before is stored (pact_common.in_flight), joined by what comes
        meanwhile (`_topped_up`), and its offsets are committed once it is stored."""

        async def on_progress_reported(msg: KafkaMessage) -> None:
            raw = msg.raw_message
            records = cast(Sequence[Record], raw if isinstance(raw, tuple) else (raw,))
            if not records:
                return
            consumer = cast(Consumer, msg.consumer)
            self.consumer, self.topic = consumer, records[0].topic
            started = time.perf_counter()
            try:
                self.held = held_of(consumer, records)
                cmd = await self.read(records, self.held)
                read_seconds = time.perf_counter() - started
                # what comes while the batch before is stored joins this one, read as it
                # comes (in the turns that batch waits on mongod), until that one is stored
                while (stored := await self.in_flight.wait(TOP_UP_SECONDS)) is not False:
                    started = time.perf_counter()
                    records, cmd = await self._topped_up(consumer, records, cmd)
                    read_seconds += time.perf_counter() - started
                    if stored or len(records) >= self.max_records:
                        break
            except Exception:  # as a nack: from each partition's first record, again
                self.in_flight.rewind(consumer, first_offsets(records))
                raise

            async def store() -> None:
                with collecting_after():  # a batch's working set dies with it (turns.py)
                    await self.store(records, cmd, read_seconds)

            await self.in_flight.hand(consumer, records, store)

        options = subscriber_options(
            settings,
            self.name,
            batch=True,
            max_records=self.max_records,
            fetch_max_wait_ms=self.fetch_wait_ms,
            batch_timeout_ms=self.idle_ms,
            ack_policy=AckPolicy.MANUAL,  # offsets committed by the batch once stored
        )
        broker.subscriber(topic, **options)(on_progress_reported)


def held_of(consumer: Consumer, records: Sequence[Record]) -> Held:
    """The partitions of the records' topic that the consumer holds, of how many the topic
    has; or, if it does not say, the records' partitions (and every target its own)."""
    held = assigned(consumer, records[0].topic)
    if not held.partitions:
        return Held(frozenset(r.partition for r in records))
    return held


def assigned(consumer: Consumer, topic: str) -> Held:
    """The partitions of `topic` assigned to the consumer, of how many the topic has (0,
    every one: when it does not say)."""
    assignment = getattr(consumer, "assignment", None)
    held = {tp.partition for tp in assignment() if tp.topic == topic} if assignment else set()
    partitions_for = getattr(consumer, "partitions_for_topic", None)
    count = len(partitions_for(topic) or ()) if partitions_for else 0
    return Held(frozenset(held), count)
