"""(3) Alert latency under a steady load: `probes_per_s` times a second (10 by default, so
that 60 s give 600 probes and p99 is not the maximum), one report drives a fresh commitment
over its target; the time from handing that report to the producer to reading the
matching AlertFired (TargetAchieved) off monitoring.alerts.v1 with a raw consumer."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

from aiokafka import AIOKafkaConsumer

from bench.perf_world import BatchProducer, World, percentile
from pact_contracts import ALERTS, PROGRESS_REPORTED, ProgressReported
from pactctl.simulation import ProgressSimulator

TICK = 0.05  # seconds between two sends of the load


async def _read_alerts(
    bootstrap: str, topic: str, wanted: set[str], received: dict[str, float], done: asyncio.Event
) -> None:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        fetch_max_wait_ms=20,
        metadata_max_age_ms=500,
    )
    await consumer.start()
    try:
        while True:
            batches = await consumer.getmany(timeout_ms=100)
            at = time.perf_counter()
            for batch in batches.values():
                for record in batch:
                    event = json.loads(record.value)
                    subject = event.get("subject_id")
                    if (
                        event.get("event_type") == "AlertFired"
                        and event.get("rule") == "TargetAchieved"
                        and subject in wanted
                    ):
                        received.setdefault(subject, at)
                        if len(received) == len(wanted):
                            done.set()
    finally:
        await consumer.stop()


async def stages(
    db: Any, probes: dict[str, tuple[str, float, float]]
) -> dict[str, dict[str, float]]:
    """Where the time went (p50 and p99 of each stage, ms), from the timestamps monitoring
    stores: a probe's receipt (written while its batch is decided) and its alert's outbox
    entry (just before the commit); then the relay and the broker until the reader has it.
    (The relay marks a whole batch published after its last acknowledgement, too late to
    split the last part.) With them, `slowest`: the stages of the slowest probe and when it
    was sent (seconds into the load), so that a stall shows where it held the pipeline."""
    parts: dict[str, list[float]] = {"taken": [], "committed": [], "relayed and read": []}
    first = min((sent for _, sent, _ in probes.values()), default=0.0)
    slowest: dict[str, float] = {}
    for probe, (event_id, sent, received) in probes.items():
        receipt = await db["receipts"].find_one({"_id": event_id})
        query = {"payload": {"$regex": f'"subject_id":"{probe}"'}, "event_type": "AlertFired"}
        alert = await db["outbox"].find_one(query)
        if receipt is None or alert is None or alert.get("published_at") is None:
            continue
        at = [sent, receipt["at"].timestamp(), alert["created_at"].timestamp(), received]
        for name, before, after in zip(parts, at, at[1:], strict=False):
            parts[name].append((after - before) * 1000)
        if (total := (received - sent) * 1000) > slowest.get("total_ms", -1.0):
            slowest = {"sent_s": round(sent - first, 1), "total_ms": round(total)}
            slowest |= {f"{k}_ms": round(v[-1]) for k, v in parts.items()}
    found: dict[str, dict[str, float]] = {
        f"p{q}": {f"{k}_ms": round(percentile(v, q), 1) for k, v in parts.items() if v}
        for q in (50, 99)
    }
    return found | ({"slowest": slowest} if slowest else {})


async def alert_latency(
    bootstrap: str,
    namespace: str,
    world: World,
    simulator: ProgressSimulator,
    db: Any,
    *,
    rate: int,
    seconds: int,
    probes: list[str],
    probes_per_s: int = 10,
) -> dict[str, Any]:
    """Returns latency percentiles (ms), how steady the load really was, and the median
    time spent in each stage."""
    per_tick = max(1, round(rate * TICK))
    ticks = round(seconds / TICK)
    progress_topic = f"{namespace}{PROGRESS_REPORTED.name}"
    reports = (simulator.next_report() for _ in range(per_tick * ticks))
    load = [(r.to_bytes(), r.partner_id.encode()) for r in reports]
    every = max(1, round(1 / (TICK * probes_per_s)))
    probes = probes[: ticks // every]
    sent_at: dict[str, float] = {}
    walls: dict[str, tuple[str, float]] = {}
    received: dict[str, float] = {}
    done = asyncio.Event()
    reader = asyncio.create_task(
        _read_alerts(bootstrap, f"{namespace}{ALERTS.name}", set(probes), received, done)
    )
    await asyncio.sleep(2.0)  # the reader has caught up with the alerts of the ingestion
    async with BatchProducer(bootstrap) as producer:
        started = time.perf_counter()
        lag = 0.0
        for tick in range(ticks):
            for value, key in load[tick * per_tick : (tick + 1) * per_tick]:
                await producer.send(progress_topic, value, key)
            if tick % every == 0 and tick // every < len(probes):
                probe = probes[tick // every]
                report = ProgressReported(
                    partner_id=world.probe_partner,
                    commitment_id=probe,
                    period=world.probe_period,
                    people_trained=10,
                    producer="bench-probe",
                )
                sent_at[probe] = time.perf_counter()
                walls[probe] = (str(report.event_id), time.time())
                # keyed by partner, as the contract keys reports (the load too)
                await producer.send(progress_topic, report.to_bytes(), report.partner_id.encode())
            due = started + (tick + 1) * TICK
            lag = max(lag, time.perf_counter() - due)
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
        elapsed = time.perf_counter() - started
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done.wait(), timeout=30)
    reader.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await reader
    latencies = [(received[p] - sent_at[p]) * 1000 for p in sent_at if p in received]
    offset = time.time() - time.perf_counter()  # the reader's clock to wall-clock time
    detail = {p: (walls[p][0], walls[p][1], received[p] + offset) for p in received}
    return {
        "load_reports": len(load),
        "load_events_per_s": round(len(load) / elapsed),
        "max_behind_schedule_ms": round(lag * 1000, 1),
        "probes": len(sent_at),
        "alerts_received": len(latencies),
        "p50_ms": round(percentile(latencies, 50), 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 95), 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 99), 1) if latencies else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
        "stages": await stages(db, detail),
        "latencies_ms": [round(x, 1) for x in latencies],
    }
