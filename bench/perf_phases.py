"""What every phase of the benchmark shares: a fresh monitoring process (its own topic
namespace and database) told of the world's partners and commitments, the N reports
pre-loaded on its progress topic, and one ingestion run with the ceilings beside it."""

from __future__ import annotations

import argparse
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from bench.perf_ingest import During, ceiling, ingest, stored_bytes
from bench.perf_pipeline import pipeline
from bench.perf_world import BatchProducer, World, wait_for
from pact_contracts import COMMITMENT_EVENTS, PROGRESS_REPORTED
from pactctl.simulation import ProgressSimulator
from tests.support.stack import ServiceProcess


def step(what: str, count: int | str = "", unit: str = "") -> None:
    shown = f"{count:,}" if isinstance(count, int) else count
    print(f"[{datetime.now():%H:%M:%S}] {what} {shown} {unit}".rstrip(), flush=True)


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


@dataclass
class Bench:
    """One run: its arguments, MongoDB client, and what it must clean up."""

    args: argparse.Namespace
    client: Any
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    services: list[ServiceProcess] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    @property
    def today(self) -> date:
        return self.now.date()

    def service(self, tag: str, settings: dict[str, str] | None = None) -> ServiceProcess:
        """A monitoring process of its own namespace and database (not started), with the
        phase's `settings`; `--env` still has the last word."""
        env = {
            "MONITORING_LOG_LEVEL": "WARNING",
            "MONITORING_KAFKA_SESSION_TIMEOUT_MS": "2000",
            "MONITORING_MONGO_URL": self.args.mongo_url,
        }
        env |= settings or {}
        env |= dict(item.split("=", 1) for item in self.args.env)
        # with the views kept apart (the default), the views' keeper beside it (ServiceProcess)
        service = ServiceProcess(
            "monitoring", f"bench-{self.run_id}-{tag}.", env, kafka=self.bootstrap
        )
        self.services.append(service)
        self.dropped.append(service.database)
        return service

    @property
    def bootstrap(self) -> str:
        return str(self.args.bootstrap)

    def database(self, service: ServiceProcess) -> Any:
        return self.client[service.database]

    async def close(self) -> None:
        for service in self.services:
            service.stop()
        if not self.args.keep:
            for name in self.dropped:
                await self.client.drop_database(name)


def progress_topic(service: ServiceProcess) -> str:
    return f"{service.env['MONITORING_TOPIC_NAMESPACE']}{PROGRESS_REPORTED.name}"


async def read_models(
    bench: Bench, service: ServiceProcess, world: World, partitions: int | None = None
) -> float:
    """Start monitoring on the partner and commitment events; wait until it knows every one
    and has published every alert they raised; stop it. Creates the progress topic with
    `partitions`, or as many as the broker gave the commitment events' topic."""
    namespace = service.env["MONITORING_TOPIC_NAMESPACE"]
    db = bench.database(service)
    async with BatchProducer(bench.bootstrap) as producer:
        await producer.send_events(namespace, world.partner_events)
        await producer.send_events(namespace, world.commitment_events)
    await _create_like(
        bench.bootstrap, progress_topic(service), f"{namespace}{COMMITMENT_EVENTS.name}", partitions
    )
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
    return round(time.monotonic() - started, 1)


async def _create_like(bootstrap: str, topic: str, model: str, partitions: int | None) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        (described,) = await admin.describe_topics([model])
        if topic not in await admin.list_topics():
            count = partitions or len(described["partitions"])
            await admin.create_topics([NewTopic(topic, count, 1)])
    finally:
        await admin.close()


async def preload(
    bench: Bench, service: ServiceProcess, simulator: ProgressSimulator, n: int
) -> dict[str, Any]:
    started = time.perf_counter()
    topic = progress_topic(service)
    messages = [
        (topic, r.to_bytes(), r.partner_id.encode())
        for r in (simulator.next_report() for _ in range(n))
    ]
    generated = time.perf_counter() - started
    async with BatchProducer(bench.bootstrap) as producer:
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


async def one_ingestion(
    bench: Bench,
    tag: str,
    world: World,
    n: int,
    *,
    ceilings: bool = False,
    monitor: bool = True,
    during: During | None = None,
    settings: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A fresh service (with `settings`) told of `world`, N simulated reports on its topic;
    then (1a) and (1b) on that topic when `ceilings`, and monitoring taking them when
    `monitor`."""
    service = bench.service(tag, settings)
    db = bench.database(service)
    out: dict[str, Any] = {}
    step(f"[{tag}] setting up read models:", len(world.commitments), "commitments")
    out["read_models_s"] = await read_models(bench, service, world)
    simulator = ProgressSimulator(world.commitments, seed=1, today=bench.today)
    step(f"[{tag}] pre-loading", n, "reports")
    out["preload"] = await preload(bench, service, simulator, n)
    topic = progress_topic(service)
    if ceilings:
        out["load_ceiling"] = load()
        out["ceiling"] = await ceiling(bench.bootstrap, topic, n)
        step(f"[{tag}] faithful minimal pipeline (1b) on", n, "reports")
        database = f"bench-{bench.run_id}-{tag}-pipeline"
        bench.dropped.append(database)
        out["pipeline"] = await pipeline(bench.bootstrap, bench.client, database, topic, n)
    if monitor:
        step(f"[{tag}] monitoring ingesting", n, "reports")
        out["load_ingest"] = load()
        profile = f"{bench.args.profile}-{tag}" if bench.args.profile else None
        out["ingest"] = await ingest(
            service, db, n, bench.bootstrap, topic, profile=profile, during=during
        )
        out["ingest"]["check"] = await verify(db, simulator)
        out["ingest"]["service_log"] = str(service.log_path)
        stored = await stored_bytes(db)
        per = (stored["data_bytes"] + stored["index_bytes"]) / n
        out["ingest"]["stored"] = stored | {"bytes_per_report": round(per)}
    service.stop()
    return out
