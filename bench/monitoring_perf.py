"""How fast monitoring takes in progress reports, raises alerts and answers queries, run
for real: the service as a process (`python -m monitoring`), the local Kafka broker (Tansu)
and the local mongod. `make bench` runs it on a broker of its own, in memory, on port 9192.

    .venv/bin/python -m bench.monitoring_perf --bootstrap 127.0.0.1:9192 --reports 20000

Measures, in one run: (1) the ceiling, a bare aiokafka consumer reading the N reports;
(2) monitoring taking the same N reports from empty projections (validated, deduplicated,
aggregated, stored, offsets committed), with (5) its memory along the way; (3) alert latency
under a steady 1,000 reports/s; (4) query latency over HTTP on 10,000 commitments and
1,000,000 reports. Prints a table; writes JSON to bench/results/ (git-ignored).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from bench import report
from bench.perf_alerts import alert_latency
from bench.perf_ingest import ceiling, ingest
from bench.perf_queries import build_state, query_latency
from bench.perf_world import BatchProducer, World, add_probes, make_world, wait_for
from pact_contracts import PROGRESS_REPORTED
from pactctl.simulation import ProgressSimulator
from tests.support.stack import ServiceProcess

RESULTS = Path(__file__).parent / "results"


def monitoring(namespace: str, bootstrap: str, more: list[str]) -> ServiceProcess:
    env = {"MONITORING_LOG_LEVEL": "WARNING", "MONITORING_KAFKA_SESSION_TIMEOUT_MS": "2000"}
    env |= dict(item.split("=", 1) for item in more)
    return ServiceProcess("monitoring", namespace, env, kafka=bootstrap)


async def read_models(service: ServiceProcess, db: Any, world: World, bootstrap: str) -> float:
    """Start monitoring on the partner and commitment events; wait until it knows every one
    and has published every alert they raised (the alert board is written with them); stop
    it."""
    namespace = service.env["MONITORING_TOPIC_NAMESPACE"]
    async with BatchProducer(bootstrap) as producer:
        await producer.send_events(namespace, world.partner_events)
        await producer.send_events(namespace, world.commitment_events)
    started = time.monotonic()
    await service.start()
    commitments = len(world.commitments) + len(world.probes)

    async def known() -> bool:
        if await db["commitments"].count_documents({}) < commitments:
            return False
        if await db["partners"].count_documents({}) < world.partners:
            return False
        return not await db["outbox"].count_documents({"published_at": None})

    await wait_for("read models", known, timeout=600)
    service.stop()
    return time.monotonic() - started


async def preload(
    namespace: str, bootstrap: str, simulator: ProgressSimulator, n: int
) -> dict[str, Any]:
    started = time.perf_counter()
    messages = [
        (f"{namespace}{PROGRESS_REPORTED.name}", r.to_bytes(), r.commitment_id.encode())
        for r in simulator.take(n)
    ]
    generated = time.perf_counter() - started
    async with BatchProducer(bootstrap) as producer:
        started = time.perf_counter()
        await producer.send_many(messages)
    produced = time.perf_counter() - started
    return {"generate_s": round(generated, 1), "produce_events_per_s": round(n / produced)}


async def verify(db: Any, simulator: ProgressSimulator) -> dict[str, Any]:
    """Nothing refused or waiting, and the partnerships' totals are exactly the simulator's."""
    rollups = await db["rollups"].find({"kind": "partnership"}).to_list()
    return {
        "rejected": await db["rejections"].count_documents({}),
        "parked": await db["parked_reports"].count_documents({}),
        "people_trained_expected": simulator.people_trained,
        "people_trained_in_rollups": sum(r.get("people_trained", 0) for r in rollups),
    }


async def drained(db: Any) -> float:
    """Seconds until every event the ingestion raised is published (alerts of (3) would
    otherwise queue behind them)."""

    async def empty() -> bool:
        return not await db["outbox"].count_documents({"published_at": None})

    return await wait_for("outbox drained", empty, timeout=1800)


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


async def run(args: argparse.Namespace) -> dict[str, Any]:
    now = datetime.now(UTC)
    today = now.date()
    run_id = uuid.uuid4().hex[:8]
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(args.mongo_url, tz_aware=True)
    out: dict[str, Any] = {
        "started_at": now.isoformat(timespec="seconds"),
        "config": vars(args) | {"cores": os.cpu_count()},
        "load_before": load(),
    }
    dropped: list[str] = []
    services: list[ServiceProcess] = []
    try:
        if "ingest" in args.phases:
            namespace = f"bench-{run_id}."
            world = make_world(args.commitments, today)
            add_probes(world, args.latency_seconds + 5, today)
            service = monitoring(namespace, args.bootstrap, args.env)
            services.append(service)
            db = client[service.database]
            dropped.append(service.database)
            step("setting up read models", args.commitments, "commitments")
            out["read_models_s"] = round(await read_models(service, db, world, args.bootstrap), 1)
            simulator = ProgressSimulator(world.commitments, seed=1, today=today)
            step("pre-loading", args.reports, "reports")
            out["preload"] = await preload(namespace, args.bootstrap, simulator, args.reports)
            topic = f"{namespace}{PROGRESS_REPORTED.name}"
            out["load_ceiling"] = load()
            out["ceiling"] = await ceiling(args.bootstrap, topic, args.reports)
            step("ingesting", args.reports, "reports")
            out["load_ingest"] = load()
            out["ingest"] = await ingest(
                service, db, args.reports, args.bootstrap, topic, profile=args.profile
            )
            out["ingest"]["check"] = await verify(db, simulator)
            out["ingest"]["service_log"] = str(service.log_path)
            if "latency" in args.phases:
                step("draining the outbox, then alert latency at", args.rate, "reports/s")
                out["outbox_drained_s"] = round(await drained(db), 1)
                out["load_latency"] = load()
                out["latency"] = await alert_latency(
                    args.bootstrap,
                    namespace,
                    world,
                    simulator,
                    db,
                    rate=args.rate,
                    seconds=args.latency_seconds,
                )
            service.stop()
        if "queries" in args.phases:
            service = monitoring(f"bench-{run_id}-q.", args.bootstrap, args.env)
            services.append(service)
            db = client[service.database]
            dropped.append(service.database)
            world = make_world(args.query_commitments, today, seed=8)
            step("building query state:", args.query_reports, "reports")
            group = f"{service.env['MONITORING_TOPIC_NAMESPACE']}monitoring.progress"
            out["query_state"] = await build_state(db, world, args.query_reports, now, group)
            await service.start()
            step("querying", args.query_commitments, "commitments")
            out["load_queries"] = load()
            out["queries"] = await query_latency(
                service.url, world, today.year, samples=args.query_samples, budget=args.budget
            )
            service.stop()
    finally:
        for service in services:
            service.stop()
        if not args.keep:
            for name in dropped:
                await client.drop_database(name)
        await client.close()
    out["load_after"] = load()
    return out


def step(what: str, count: int, unit: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {what} {count:,} {unit}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap", default="127.0.0.1:9192")
    parser.add_argument("--mongo-url", default="mongodb://127.0.0.1:27017/?replicaSet=rs0")
    parser.add_argument("--reports", type=int, default=200_000, help="N, for (1), (2), (5)")
    parser.add_argument("--commitments", type=int, default=1_000)
    parser.add_argument("--rate", type=int, default=1_000, help="steady load of (3), reports/s")
    parser.add_argument("--latency-seconds", type=int, default=60, help="(3): one probe a second")
    parser.add_argument("--query-commitments", type=int, default=10_000)
    parser.add_argument("--query-reports", type=int, default=1_000_000)
    parser.add_argument("--query-samples", type=int, default=200)
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per query, at most")
    parser.add_argument(
        "--phases", default="ingest,latency,queries", help="any of ingest,latency,queries"
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench databases")
    parser.add_argument("--profile", help="py-spy the service during (2) into this file")
    parser.add_argument(
        "--env", action="append", default=[], help="MONITORING_X=y for the service (experiments)"
    )
    args = parser.parse_args()
    args.phases = sorted(set(args.phases.split(",")))
    result = asyncio.run(run(args))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"monitoring-{result['started_at'].replace(':', '')}.json"
    path.write_text(json.dumps(result, indent=1, default=str))
    print()
    print(report.table(result))
    print(f"\nJSON: {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")


if __name__ == "__main__":
    main()
