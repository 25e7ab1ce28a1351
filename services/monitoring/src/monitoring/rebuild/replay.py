"""`python -m monitoring.rebuild --into DB`: replay every topic monitoring reads, from the
beginning, into fresh projections in a new database, through the very consumers the service
runs, and publish nothing.

- Order: the topics are merged by record time (each partition in offset order; reference
  data first at equal times), so each report meets the partners and commitments it met live.
- Time: each record is decided as of its own timestamp (the moment the service saw it), so
  time-dependent checks (a period that had not begun yet) decide as they did; `--as-of`
  fixes one instant instead. A final sweep then brings the clock-driven rules to now.
- Silence: whatever the replay decides to publish (alerts, rejections, dead letters) is
  dropped, not written to the outbox, and no webhook delivery is enqueued: alerts are
  decided again silently. monitoring.alerts.v1 is read only to align the alerts' episodes
  with what was announced.
- One build: the service is built by `monitoring.bootstrap.build` on a replay runtime, whose
  consumers the rebuild feeds instead of the broker.
- Cut-over: stop the service (let its outbox drain), rebuild, start it on the new database.
  Its consumer groups resume where they stopped; what the rebuild already applied is
  recognised by the inboxes (same consumer names), so nothing is applied twice.
  `--carry-from` copies acknowledgements and webhook deliveries, which no topic holds, and
  re-applies the secretariat's corrections of periods in their place in time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from monitoring.bootstrap import Monitoring, build
from monitoring.config import Settings
from monitoring.core.adapters import repository, view_journal
from monitoring.core.adapters.corrections import every_correction
from monitoring.core.adapters.unit_of_work import MongoUnitOfWork
from monitoring.core.domain.commands import CorrectPeriod
from monitoring.core.domain.corrections import Correction
from monitoring.core.entrypoints.progress_consumer import ProgressConsumer
from monitoring.core.service_layer.keeper import drain
from monitoring.notify.adapters import mail_queue
from monitoring.notify.adapters.delivery_queue import ensure_indexes as delivery_indexes
from monitoring.rebuild import store as rebuild_store
from monitoring.rebuild.topic_reader import read_topics
from monitoring.views.adapters import declaration_store
from pact_common.clock import Clock
from pact_common.consuming import DeadLetters
from pact_common.event_consumer import EventConsumer
from pact_common.outbox import Outbox
from pact_common.runtime import Runtime
from pact_contracts import (
    ALERTS,
    PROGRESS_REPORTED,
    AlertEvent,
    Event,
)
from pact_contracts import Topic as ContractTopic
from pact_contracts.topics import REPLAYED


class ReplayClock:
    """The replay's time: the latest record time seen (or a fixed clock), then `finish()`."""

    def __init__(self, fixed: Clock | None = None) -> None:
        self._fixed = fixed
        self._at: datetime | None = None

    def __call__(self) -> datetime:
        if self._fixed is not None:
            return self._fixed()
        return self._at or datetime.now(UTC)

    def follow(self, timestamp_ms: int) -> None:
        at = datetime.fromtimestamp(timestamp_ms / 1000, UTC)
        if self._at is None or at > self._at:
            self._at = at

    def finish(self) -> None:
        """From now on, now (unless fixed)."""
        self._at = None


class _Dropped(Outbox):
    """The replay's outbox: counts what would have been published, and keeps none of it."""

    dropped = 0

    async def add(
        self, session: AsyncClientSession, events: Sequence[Event]
    ) -> list[dict[str, Any]]:
        self.dropped += len(events)
        return []


class _Nowhere:
    async def publish_raw(self, topic: str, key: bytes, value: bytes) -> None:
        return None


class ReplayRuntime(Runtime):
    """A runtime whose consumers are fed by the rebuild, not the broker (which never starts),
    and whose outbox and dead letters publish nothing."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.dropped = _Dropped(self.mongo.db)
        self.outbox = self.dropped
        self.dead_letters = DeadLetters(_Nowhere(), settings.service_name, settings.topic_namespace)
        self.fed: dict[str, list[EventConsumer[Any]]] = {}
        self.progress_batch = settings.progress_batch_max_records

    def consume(
        self, topic: ContractTopic, name: str, apply: Any, *, max_bytes: int = 1024 * 1024
    ) -> EventConsumer[Any]:
        consumer = self.event_consumer(topic, name, apply, max_bytes=max_bytes)
        self.fed.setdefault(self.settings.topic(topic), []).append(consumer)
        return consumer


@dataclass
class Summary:
    database: str
    records: dict[str, int] = field(default_factory=dict)
    not_read_to_end: list[str] = field(default_factory=list)
    dropped_events: int = 0
    alerts_aligned: int = 0
    carried_over: dict[str, int] = field(default_factory=dict)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None


async def rebuild(
    settings: Settings,
    *,
    clock: Clock | None = None,
    carry_from: str | None = None,
    idle_seconds: float = 10.0,
) -> Summary:
    """Replay into `settings.mongo_db`, which must be new."""
    runtime = ReplayRuntime(settings)
    db = runtime.mongo.db
    summary = Summary(settings.mongo_db)
    replay_clock = ReplayClock(clock)
    try:
        await rebuild_store.ensure_fresh(db)
        await runtime.outbox.ensure_indexes()
        await repository.ensure_indexes(db)
        await view_journal.ensure_indexes(db, settings.views_apart)
        await delivery_indexes(db)
        monitoring = build(settings, replay_clock, runtime=runtime, deliver=False)
        order = [settings.topic(t) for t in REPLAYED]  # kept forever on the broker
        snapshot = await read_topics(settings, order, idle_seconds)
        summary.records = {t: snapshot.count(t) for t in order}
        summary.not_read_to_end = [f"{tp.topic}/{tp.partition}" for tp in snapshot.short]
        source = runtime.mongo.client[carry_from] if carry_from is not None else None
        fixes = await every_correction(source) if source is not None else []
        summary.carried_over["corrections"] = len(fixes)
        announced = await _feed(
            runtime, monitoring, replay_clock, snapshot.merged(order), _Corrections(fixes)
        )
        replay_clock.finish()
        await monitoring.sweeper.run_once()
        if settings.views_apart:  # the views kept apart: kept to the journal's end
            keep = partial(MongoUnitOfWork, views_apart=True)
            await drain(lambda: keep(runtime.unit_of_work()), settings.keeper_batch, replay_clock())
        summary.dropped_events = runtime.dropped.dropped
        summary.alerts_aligned = await rebuild_store.align_alert_history(
            db, rebuild_store.latest_announced(announced)
        )
        if source is not None:
            summary.carried_over |= await rebuild_store.carry_over(source, db)
            summary.carried_over |= await mail_queue.carry_over(source, db)
            summary.carried_over |= await declaration_store.carry_over(source, db)
        summary.finished_at = datetime.now(UTC)
        records = [{"topic": t, "count": n} for t, n in summary.records.items()]
        await rebuild_store.record(db, {"_id": "rebuild", **summary.__dict__, "records": records})
        runtime.log.info(
            "rebuilt",
            **{
                k: v.isoformat() if isinstance(v, datetime) else v for k, v in vars(summary).items()
            },
        )
    finally:
        await runtime.mongo.close()
    return summary


class _Corrections:
    """The secretariat's corrections (no topic holds them), re-applied in their place in
    time: each before the first record read after it was made."""

    def __init__(self, corrections: list[Correction]) -> None:
        self._waiting = list(corrections)

    def due(self, timestamp_ms: int | None = None) -> list[Correction]:
        """Those made before `timestamp_ms` (None: all that are left), oldest first."""
        cut = len(self._waiting)
        if timestamp_ms is not None:
            at = datetime.fromtimestamp(timestamp_ms / 1000, UTC)
            cut = next((i for i, c in enumerate(self._waiting) if c.at > at), cut)
        due, self._waiting = self._waiting[:cut], self._waiting[cut:]
        return due


async def _feed(
    runtime: ReplayRuntime,
    monitoring: Monitoring,
    clock: ReplayClock,
    records: Any,
    corrections: _Corrections,
) -> list[AlertEvent]:
    """Every record to its consumers, in order; consecutive progress reports in batches;
    the secretariat's corrections in their place. Returns the alert events read (they are
    announcements, not input)."""
    progress: ProgressConsumer = monitoring.progress
    settings = runtime.settings
    progress_topic = settings.topic(PROGRESS_REPORTED)
    alerts_topic = settings.topic(ALERTS)
    batch: list[Any] = []
    announced: list[AlertEvent] = []

    async def flush() -> None:
        if batch:
            await progress.handle(batch)
            batch.clear()

    async def correct(due: list[Correction]) -> None:
        if due:
            await flush()
        for c in due:
            await monitoring.correct(CorrectPeriod(c))

    for record in records:
        await correct(corrections.due(record.timestamp))
        clock.follow(record.timestamp)
        if record.topic == progress_topic:
            batch.append(record)
            if len(batch) >= runtime.progress_batch:
                await flush()
            continue
        if record.topic == alerts_topic:
            with contextlib.suppress(ValueError):
                announced.append(ALERTS.adapter.validate_json(record.value))
            continue
        await flush()
        for consumer in runtime.fed.get(record.topic, []):
            await consumer.handle(record)
    await flush()
    await correct(corrections.due())
    return announced


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m monitoring.rebuild",
        description="Replay monitoring's topics from the beginning into a new database; "
        "publishes nothing. Settings: MONITORING_* (Kafka, Mongo, topic namespace).",
    )
    parser.add_argument("--into", help="the new database (default: MONITORING_REBUILD_DB)")
    parser.add_argument(
        "--as-of",
        type=datetime.fromisoformat,
        help="decide everything as of this instant (ISO 8601) instead of each record's time",
    )
    parser.add_argument(
        "--carry-from",
        help="copy acknowledgements and webhook deliveries from this database, and re-apply "
        "the secretariat's corrections in their place in time",
    )
    parser.add_argument("--idle-seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    settings = Settings()
    into = args.into or settings.rebuild_db
    if not into:
        parser.error("name the new database: --into NAME or MONITORING_REBUILD_DB")
    if into == settings.mongo_db:
        parser.error(f"{into} is the service's own database; rebuild into a new one")
    clock = fixed(args.as_of) if args.as_of is not None else None
    target = settings.model_copy(update={"mongo_db": into})
    asyncio.run(
        rebuild(target, clock=clock, carry_from=args.carry_from, idle_seconds=args.idle_seconds)
    )


def fixed(at: datetime) -> Clock:
    instant = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return lambda: instant


if __name__ == "__main__":
    main()
