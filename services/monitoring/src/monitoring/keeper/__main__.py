"""`python -m monitoring.keeper`: the views' keeper, a process of its own beside monitoring's
instances, when they keep the views apart (MONITORING_VIEWS_APART, the default;
domain/view_journal.py; set false, it idles: `make run` starts it either way).
It replays the journal the hot path writes, a transaction of about `keeper_batch` entries
at a time, waiting `keeper_idle_seconds` when it has caught up, until SIGTERM or SIGINT.
After each round it touches `keeper_heartbeat_file`, if set, for a healthcheck, and measures
how far the views are behind: the age of the oldest entry left (`keeper_metrics_port`, if
set, serves it with the entries replayed and the rounds failed, for Prometheus). It runs at
a lower CPU priority than the service (`keeper_nice`): the views may lag, the alerts may
not."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from prometheus_client import Counter, Gauge, start_http_server
from pymongo.errors import ConnectionFailure

from monitoring.config import KeeperSettings
from monitoring.core.adapters import view_journal
from monitoring.core.adapters.unit_of_work import MongoUnitOfWork
from monitoring.core.service_layer.keeper import KnownStates, keep_views
from pact_common.logging import configure_logging
from pact_common.mongo import Mongo
from pact_common.outbox import Outbox
from pact_common.unit_of_work import Transaction, retry_transient, transient

APP_NAME = "monitoring-keeper"  # its logs' service, its client's name in $currentOp
IDLE_BEAT_SECONDS = 10.0
#: after a round that failed on a conflict that outlasted its retries (another keeper's
#: transaction, left open by a process killed in it, holds the same documents until mongod
#: aborts it: transactionLifetimeLimitSeconds) or on the database being out of reach
BACK_OFF_SECONDS = 1.0
T = TypeVar("T")

REPLAYED = Counter("pact_views_replayed_total", "Journal entries the views' keeper replayed")
BEHIND = Gauge(
    "pact_views_behind_seconds",
    "Age of the oldest journal entry left after the keeper's last round (0: none left): "
    "how far the series, the annual report and the partners per scope lag the reports",
)
STATES = Counter(
    "pact_keeper_states_total",
    "States the keeper's rounds read: remembered from rounds before (only their seq read) "
    "or read whole (MONITORING_KEEPER_STATES_KNOWN sizes what it remembers)",
    ["how"],
)
FAILED = Counter(
    "pact_keeper_rounds_failed_total",
    "Keeper rounds that failed on a conflict or an unreachable database, tried again",
)


def beat(heartbeat: Path | None) -> None:
    if heartbeat is not None:
        heartbeat.touch()


async def pause(stop: asyncio.Event, seconds: float) -> None:
    """Wait `seconds`, or less if stopped. asyncio.timeout, not wait_for, as
    pact_common.background's nap: on 3.11 wait_for can swallow a cancellation."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await stop.wait()


async def behind(mongo: Mongo, now: datetime, speed: float = 1.0) -> float | None:
    """Real seconds since the oldest journal entry left was written (0.0: none left), by
    clocks running `speed` times real time (the demo's time-lapse); None: not known."""
    try:
        oldest = await mongo.db[view_journal.JOURNAL].find_one({}, {"at": 1}, sort=[("_id", 1)])
    except Exception:  # noqa: BLE001 - a lag not measured is no reason to stop keeping
        return None
    return 0.0 if oldest is None else max(0.0, (now - oldest["at"]).total_seconds() / speed)


async def keep(settings: KeeperSettings, stop: asyncio.Event, log: Any) -> None:
    heartbeat = settings.keeper_heartbeat_file
    if not settings.views_apart:  # in the Procfile either way: idle until stopped
        log.info("the views are kept inline (MONITORING_VIEWS_APART false): nothing to keep")
        while not stop.is_set():
            beat(heartbeat)
            await pause(stop, IDLE_BEAT_SECONDS)
        return
    mongo = Mongo(settings.mongo_url, settings.mongo_db, appname=APP_NAME)
    try:
        await replay(settings, stop, log, mongo)
    finally:
        await mongo.close()


async def replay(settings: KeeperSettings, stop: asyncio.Event, log: Any, mongo: Mongo) -> None:
    outbox, clock, heartbeat = Outbox(mongo.db), settings.clock(), settings.keeper_heartbeat_file
    known = KnownStates(settings.keeper_states_known)

    @retry_transient
    async def step() -> int:
        uow = MongoUnitOfWork(Transaction(mongo, outbox, None), views_apart=True)
        return await keep_views(uow, settings.keeper_batch, clock(), known)

    async def survived(work: Callable[[], Awaitable[T]]) -> T | None:
        """The work's result, or None after a back-off when it failed on a conflict that
        outlasted its retries or on the database out of reach."""
        try:
            return await work()
        except Exception as error:
            if not (transient(error) or isinstance(error, ConnectionFailure)):
                raise
            FAILED.inc()
            log.warning("keeping the views failed; trying again", error=str(error)[:200])
            await pause(stop, BACK_OFF_SECONDS)
            return None

    async def ready() -> bool:  # a database kept inline: refused (KeptOtherWay)
        await view_journal.ensure_indexes(mongo.db, apart=True)
        return True

    while not stop.is_set() and await survived(ready) is None:
        pass
    log.info("keeper started", batch=settings.keeper_batch)
    replayed, since = 0, time.monotonic()
    while not stop.is_set():
        n = await survived(step)
        # measured after every round, failed or not: a keeper whose rounds keep failing
        # shows its views falling behind; set before the count, so a scrape that sees this
        # round counted sees its lag too
        if (late := await behind(mongo, clock(), settings.clock_speed)) is not None:
            BEHIND.set(late)
        remembered, read_whole = known.taken()
        STATES.labels("remembered").inc(remembered)
        STATES.labels("read whole").inc(read_whole)
        if n is None:
            continue
        replayed += n
        REPLAYED.inc(n)
        if time.monotonic() - since >= 60 and replayed:
            log.info("views kept", entries=replayed, behind_seconds=late)
            replayed, since = 0, time.monotonic()
        beat(heartbeat)
        if n < settings.keeper_batch:
            await pause(stop, settings.keeper_idle_seconds)
    log.info("keeper stopped")


async def _main() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    settings = KeeperSettings()
    log = configure_logging(APP_NAME, settings.log_level, settings.log_json)
    niceness = os.nice(settings.keeper_nice)  # the hot path first (KeeperSettings)
    log.info("keeper yields the CPU", niceness=niceness)
    if settings.keeper_metrics_port is not None:
        start_http_server(settings.keeper_metrics_port, settings.keeper_metrics_host)
        log.info("keeper metrics", port=settings.keeper_metrics_port)
    await keep(settings, stop, log)


if __name__ == "__main__":
    asyncio.run(_main())
