"""(1) The ceiling: raw aiokafka consumption of the progress topic. (2) End-to-end ingestion by
the monitoring process from empty projections, with (5) its memory along the way."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from bench.perf_world import cpu_seconds, memory_kib, mongod_of
from tests.support.stack import ServiceProcess

RECEIPTS = "receipts"
#: how often the receipts are counted while monitoring ingests
POLL_SECONDS = 0.1
#: started once the service is ready, stopped when the N reports are applied
During = Callable[[ServiceProcess, asyncio.Event], Coroutine[Any, Any, dict[str, Any]]]


def fresh_consumer(bootstrap: str, topic: str, name: str) -> AIOKafkaConsumer:
    """A consumer of a group of its own, from the start of the topic, committing by hand."""
    return AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"bench-{name}-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=2000,
        heartbeat_interval_ms=400,
    )


async def ceiling(bootstrap: str, topic: str, n: int) -> dict[str, Any]:
    """Events/s of a bare consumer group reading the N records (bytes only, no decoding),
    timed from the fetch that returned its first batch to the N-th record."""
    consumer = fresh_consumer(bootstrap, topic, "ceiling")
    await consumer.start()
    seen, started = 0, None
    try:
        while seen < n:
            asked = time.perf_counter()
            batches = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            if batches and started is None:
                started = asked  # the first fetch that returned records counts
            seen += sum(len(b) for b in batches.values())
        seconds = time.perf_counter() - (started or time.perf_counter())
    finally:
        await consumer.stop()
    return {"events": seen, "seconds": round(seconds, 3), "events_per_s": round(n / seconds)}


async def committed(bootstrap: str, group: str, topic: str) -> int:
    """The sum of a group's committed offsets on the topic (what it will not read again)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        (described,) = await admin.describe_topics([topic])
        partitions = [TopicPartition(topic, p["partition"]) for p in described["partitions"]]
        offsets = await admin.list_consumer_group_offsets(group, partitions=partitions)
    finally:
        await admin.close()
    return sum(max(0, o.offset) for o in offsets.values())


async def applied(db: Any) -> int:
    """Reports the progress consumer has applied: its receipts (one per event_id taken,
    stored in the transaction that stores the effect). The database is fresh per phase, so
    every receipt is one of this phase's reports."""
    count: int = await db[RECEIPTS].count_documents({})
    return count


async def stored_bytes(db: Any) -> dict[str, Any]:
    """What the monitoring database holds on disk terms: dbStats dataSize + indexSize."""
    stats = await db.command("dbStats")
    return {"data_bytes": int(stats["dataSize"]), "index_bytes": int(stats["indexSize"])}


@dataclass
class Trace:
    """(seconds since spawn, receipts, RSS KiB) every poll."""

    samples: list[tuple[float, int, int]] = field(default_factory=list)

    def first(self, at_least: int) -> tuple[float, int, int] | None:
        return next((s for s in self.samples if s[1] >= at_least), None)


def profiler(pid: int, path: str) -> subprocess.Popen[bytes]:
    """py-spy (pinned in requirements-dev.lock) sampling the process,
    collapsed stacks (flamegraph.pl / speedscope read them) written when it is interrupted."""
    spy = str(Path(sys.executable).with_name("py-spy"))
    command = [spy, "record", "--pid", str(pid), "--rate", "200", "--format", "raw"]
    return subprocess.Popen([*command, "--output", path], stdout=subprocess.DEVNULL)


async def emptied(collection: Any, query: dict[str, Any], since: float) -> float | None:
    """Seconds from `since` until no document matches (polled for ten minutes; None: never)."""
    for _ in range(2400):
        if not await collection.count_documents(query):
            return time.monotonic() - since
        await asyncio.sleep(0.25)
    return None


async def ingest(
    service: ServiceProcess,
    db: Any,
    n: int,
    bootstrap: str,
    topic: str,
    *,
    profile: str | None = None,
    timeout: float = 1800,
    during: During | None = None,
) -> dict[str, Any]:
    """Start the service on a topic holding N reports; poll MongoDB (and the process's
    memory) until all N are applied and their offsets committed. `during` runs from the
    moment the service is ready until the N are applied (its rate is reported apart)."""
    group = f"{service.env['MONITORING_TOPIC_NAMESPACE']}monitoring.progress"
    trace = Trace()
    spawned = time.monotonic()
    starting = asyncio.create_task(service.start())
    while service.process is None:  # noqa: ASYNC110 - ServiceProcess has no event for it
        await asyncio.sleep(0.01)
    pid = service.process.pid
    mongod = mongod_of(service.env["MONITORING_MONGO_URL"])  # the bench's (Bench.service)
    mongod_cpu = cpu_seconds(mongod) if mongod else 0.0
    spy = profiler(pid, profile) if profile else None
    exact = 0
    stop = asyncio.Event()
    beside: asyncio.Task[dict[str, Any]] | None = None
    beside_from = (0.0, 0)
    while True:
        now = time.monotonic() - spawned
        if service.process is None or service.process.poll() is not None:
            raise RuntimeError(f"monitoring exited; see {service.log_path}")
        count = await db[RECEIPTS].estimated_document_count()
        trace.samples.append((now, count, memory_kib(pid)["VmRSS"]))
        if during is not None and beside is None and starting.done():
            beside, beside_from = asyncio.create_task(during(service, stop)), (now, count)
        if count >= n:
            exact = await applied(db)
            if exact >= n:
                break
        if now > timeout:
            raise TimeoutError(f"{count} of {n} applied after {timeout:.0f} s")
        await asyncio.sleep(POLL_SECONDS)
    done = time.monotonic() - spawned
    stop.set()
    alongside = await beside if beside is not None else None
    keeper = service.keeper.process if service.keeper else None  # the views kept apart
    cpu = {
        "monitoring_cpu_s": round(cpu_seconds(pid), 1),
        **({"keeper_cpu_s": round(cpu_seconds(keeper.pid), 1)} if keeper is not None else {}),
        "mongod_cpu_s": round(cpu_seconds(mongod) - mongod_cpu, 1) if mongod else None,
        "mongod_rss_mib": round(memory_kib(mongod)["VmRSS"] / 1024, 1) if mongod else None,
    }
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)
    ready = await starting
    committed_at = None
    for _ in range(240):
        if await committed(bootstrap, group, topic) >= n:
            committed_at = time.monotonic() - spawned
            break
        await asyncio.sleep(0.25)
    # every event the reports raised published (the alert board with them)
    drained_at = await emptied(db["outbox"], {"published_at": None}, spawned)
    # the views kept apart: the keeper has replayed the journal to its end
    kept_at = await emptied(db["view_journal"], {}, spawned) if keeper is not None else None
    memory = memory_kib(pid)
    first = trace.first(1)
    assert first is not None
    if first[1] < n:
        steady = (n - first[1]) / max(1e-9, done - first[0])
    else:  # all N seen in the first poll that saw any: from the last poll that saw none
        before = max((s[0] for s in trace.samples if s[1] == 0), default=0.0)
        steady = n / max(1e-9, done - before)
    marks = {}
    for share in (25, 50, 75, 100):
        hit = trace.first(n * share // 100)
        marks[f"{share}%"] = round((hit[2] if hit else memory["VmRSS"]) / 1024, 1)
    return {
        "events": exact,
        "ready_s": round(ready, 2),
        "first_applied_s": round(first[0], 2),
        "all_applied_s": round(done, 2),
        "offsets_committed_s": round(committed_at, 2) if committed_at else None,
        "outbox_drained_s": round(drained_at, 2) if drained_at else None,
        **({"views_kept_s": round(kept_at, 2) if kept_at else None} if keeper else {}),
        "events_per_s": round(steady),
        "events_per_s_incl_startup": round(n / done),
        "rss_mib": marks,
        "peak_rss_mib": round(memory["VmHWM"] / 1024, 1),
        **cpu,
        **(
            {
                "during": alongside,
                "during_from_s": round(beside_from[0], 2),
                "events_per_s_during": round(
                    (n - beside_from[1]) / max(1e-9, done - beside_from[0])
                ),
            }
            if alongside is not None
            else {}
        ),
        "samples": [(round(t, 2), c, rss) for t, c, rss in trace.samples],
    }
