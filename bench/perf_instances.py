"""Instances: the same N reports on a progress topic of several partitions, taken by one
monitoring instance, then by two in one consumer group sharing one database, the instances
started and their group settled before the reports are produced. For each run:
the rate, what each instance consumed and applied, its CPU, and the batches of reports it
ran again because their transaction hit a write conflict (`pact_transaction_retries_total`
from its /metrics), apart from its other units of work run again (definition changes, as
instances join the group and take over partitions of the commitments topic). One
instance's event loop keeps one core busy; two share both cores with mongod. What the run
shows in full is whether a document serialises the instances (batches run twice)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bench.perf_phases import Bench, preload, read_models, step, verify
from bench.perf_world import World, cpu_seconds, make_world
from pact_contracts import PROGRESS_REPORTED
from pactctl.simulation import ProgressSimulator
from tests.support.stack import ServiceProcess

PARTITIONS = 4
#: after the instances are ready, for the group to settle its assignment
SETTLE_S = 5.0
COUNTED = (
    "pact_messages_consumed_total",
    "pact_messages_applied_total",
    "pact_handler_seconds_count",
    "pact_handler_seconds_sum",
)
PROGRESS = PROGRESS_REPORTED.name


async def instances(bench: Bench, n: int, counts: tuple[int, ...] = (1, 2)) -> dict[str, Any]:
    world = make_world(bench.args.commitments, bench.today)
    out: dict[str, Any] = {"partitions": PARTITIONS, "reports": n}
    for count in counts:
        out[f"instances_{count}"] = await _run(bench, world, n, count)
    rates = [out[f"instances_{c}"]["events_per_s"] for c in counts]
    out["ratio"] = round(rates[-1] / rates[0], 3) if rates[0] else None
    return out


async def _run(bench: Bench, world: World, n: int, count: int) -> dict[str, Any]:
    tag = f"instances{count}"
    first = bench.service(tag)
    step(f"[{tag}] setting up read models:", len(world.commitments), "commitments")
    await read_models(bench, first, world, PARTITIONS)
    simulator = ProgressSimulator(world.commitments, seed=1, today=bench.today)
    services = [first, *(twin(bench, first, i) for i in range(2, count + 1))]
    db = bench.database(first)
    # as a deployment runs: the instances in the group, its partitions assigned, before the
    # reports come (one that joins while another takes a batch of the partitions it is
    # given makes the two store that batch at once, once: docs/scaling.md)
    step(f"[{tag}] starting {count} instance(s)")
    spawned = time.monotonic()
    await asyncio.gather(*(s.start() for s in services))
    await asyncio.sleep(SETTLE_S)
    step(f"[{tag}] {count} instance(s) ingesting", n, "reports, produced now")
    await preload(bench, first, simulator, n)
    seen: tuple[float, int] | None = None
    while (applied := await db["receipts"].estimated_document_count()) < n:
        now = time.monotonic() - spawned
        if seen is None and applied:
            seen = (now, applied)
        if now > 1800:
            raise TimeoutError(f"{applied} of {n} applied after {now:.0f} s")
        if any(s.process is not None and s.process.poll() is not None for s in services):
            raise RuntimeError(f"an instance exited; see {first.log_path.parent}")
        await asyncio.sleep(0.25)
    done = time.monotonic() - spawned
    first_seen = seen or (0.0, 0)
    each = [await _instance(s) for s in services]
    for service in services:
        service.stop()
    retried = sum(i["write_conflicts"] + i["transient"] for i in each)
    return {
        "instances": count,
        "events_per_s": round((n - first_seen[1]) / max(1e-9, done - first_seen[0])),
        "all_applied_s": round(done, 2),
        "each": each,
        "write_conflicts": sum(i["write_conflicts"] for i in each),
        "retried": retried,
        "check": await verify(db, simulator),
    }


def twin(bench: Bench, first: ServiceProcess, number: int) -> ServiceProcess:
    """Another instance of `first`: its namespace, database and group, a port of its own;
    the views' keeper, one per database, is `first`'s."""
    env = {k: v for k, v in first.env.items() if k != "MONITORING_HTTP_PORT"}
    other = ServiceProcess(
        "monitoring", env["MONITORING_TOPIC_NAMESPACE"], env, kafka=bench.bootstrap, keeper=False
    )
    other.log_path = first.log_path.with_name(f"{first.log_path.stem}-{number}.log")
    bench.services.append(other)
    return other


async def _instance(service: ServiceProcess) -> dict[str, Any]:
    """What one instance says of itself in /metrics, and its CPU."""
    async with httpx.AsyncClient(base_url=service.url, timeout=10) as client:
        text = (await client.get("/metrics")).text
    sums: dict[str, float] = {}
    others: dict[str, int] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "pact_transaction_retries_total":
                key = sample.labels["reason"]
                handler = sample.labels["handler"]
                if not handler.endswith(".take") and sample.value:  # not a progress batch
                    name = f"{handler.rsplit('.', 1)[-1]} ({key})"
                    others[name] = others.get(name, 0) + int(sample.value)
                    continue
            elif sample.name in COUNTED and sample.labels.get("topic", "").endswith(PROGRESS):
                key = sample.name
            else:
                continue
            sums[key] = sums.get(key, 0.0) + sample.value
    assert service.process is not None
    return {
        "consumed": int(sums.get("pact_messages_consumed_total", 0)),
        "applied": int(sums.get("pact_messages_applied_total", 0)),
        "batches": int(sums.get("pact_handler_seconds_count", 0)),
        "batch_seconds": round(sums.get("pact_handler_seconds_sum", 0.0), 1),
        "write_conflicts": int(sums.get("write_conflict", 0)),
        "transient": int(sums.get("transient", 0)),
        #: units of work other than progress batches run again, by handler and reason
        "others_run_again": others,
        "cpu_s": round(cpu_seconds(service.process.pid), 1),
    }
