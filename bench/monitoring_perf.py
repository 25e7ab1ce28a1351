"""How fast monitoring takes in progress reports, raises alerts and answers queries, run
for real: the service as a process (`python -m monitoring`), the local Kafka broker (Tansu)
and the local mongod. `make bench` runs it on a broker of its own, in memory, on port 9192.

    .venv/bin/python -m bench.monitoring_perf --bootstrap 127.0.0.1:9192 --quick

Phases (--phases, any of them; every monitoring run on a fresh namespace and database):
pipeline, (1a) a bare aiokafka consumer and (1b) the faithful minimal pipeline on the N
reports; ingest, monitoring taking the same N (with stored bytes and RSS), --repeat times;
sustained, fixed rates of 5k/10k/20k reports/s with the group's lag; contention, ingestion
while 20 clients query series and the annual report, /health timed, --repeat times;
history, 10 vs 120 monthly periods per commitment, --repeat times; latency, alert latency
at 1k/s and 10k/s, taken by --latency-instances in one group (1); queries, query latency on
a large state; instances, one monitoring instance then two in one group on a topic of 4
partitions, with the write conflicts each ran again. Prints a table; writes JSON to
bench/results/ (git-ignored).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from bench import report
from bench.perf_alerts import alert_latency
from bench.perf_contention import clients
from bench.perf_history import history
from bench.perf_instances import SETTLE_S, instances, twin
from bench.perf_phases import Bench, load, one_ingestion, read_models, step
from bench.perf_queries import build_state, query_latency
from bench.perf_sustained import sustained
from bench.perf_world import add_probes, cpu_seconds, make_world, mongod_of
from pactctl.simulation import ProgressSimulator

RESULTS = Path(__file__).parent / "results"
PHASES = (
    "pipeline",
    "ingest",
    "sustained",
    "contention",
    "history",
    "latency",
    "queries",
    "instances",
)
QUICK = {
    "reports": 20_000,
    "history_reports": 60_000,
    "sustained_seconds": 15,
    "latency_seconds": 15,
    "query_commitments": 2_000,
    "query_reports": 100_000,
    "query_samples": 50,
    "query_scale": 1,
    "budget": 5.0,
}


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median and range over the repetitions of each rate measured."""
    out: dict[str, Any] = {}
    for name, path in (
        ("ceiling", ("ceiling", "events_per_s")),
        ("pipeline", ("pipeline", "events_per_s")),
        ("ingest", ("ingest", "events_per_s")),
    ):
        values = [r[path[0]][path[1]] for r in runs if r.get(path[0], {}).get(path[1])]
        if values:
            out[name] = report.spread(values)
    return out


async def ingestion(bench: Bench, out: dict[str, Any]) -> None:
    args, phases = bench.args, bench.args.phases
    world = make_world(args.commitments, bench.today)
    runs = []
    for i in range(args.repeat):
        runs.append(
            await one_ingestion(
                bench,
                f"ingest{i + 1}",
                world,
                args.reports,
                ceilings="pipeline" in phases,
                monitor="ingest" in phases,
            )
        )
    out["runs"] = runs
    out["summary"] = summary(runs)


async def contention(bench: Bench, alone: float | None) -> dict[str, Any]:
    """(7), --repeat times: ingestion with the clients, each time beside a run without them
    (unless the ingest phase measured that rate already: its median)."""
    args = bench.args
    world = make_world(args.commitments, bench.today)
    during = clients(world, bench.today.year)
    runs = []
    for i in range(args.repeat):
        run = await one_ingestion(bench, f"contention{i + 1}", world, args.reports, during=during)
        rate = alone
        if rate is None:  # the rate without clients, to compare with
            rate = (await one_ingestion(bench, f"alone{i + 1}", world, args.reports))["ingest"][
                "events_per_s"
            ]
        runs.append(run["ingest"] | {"alone_events_per_s": rate})
    return {"runs": runs}


async def latency(bench: Bench, out: dict[str, Any]) -> None:
    args = bench.args
    world = make_world(args.commitments, bench.today)
    per_run = args.probes_per_s * args.latency_seconds
    add_probes(world, 2 * per_run, bench.today)
    service = bench.service("latency")
    step("[latency] setting up read models:", len(world.commitments), "commitments")
    await read_models(bench, service, world)
    await service.start()
    twins = [twin(bench, service, i) for i in range(2, args.latency_instances + 1)]
    if twins:  # in the group, its partitions assigned, before the load comes
        await asyncio.gather(*(t.start() for t in twins))
        await asyncio.sleep(SETTLE_S)
    simulator = ProgressSimulator(world.commitments, seed=3, today=bench.today)
    namespace = service.env["MONITORING_TOPIC_NAMESPACE"]
    for i, rate in enumerate(args.latency_rates):
        step(
            f"[latency] {args.probes_per_s} probes/s for {args.latency_seconds} s at",
            rate,
            "reports/s",
        )
        cpu = processes(service)
        before = {name: cpu_seconds(pid) for name, pid in cpu.items()}
        out[f"latency_{rate}"] = await alert_latency(
            bench.bootstrap,
            namespace,
            world,
            simulator,
            bench.database(service),
            rate=rate,
            seconds=args.latency_seconds,
            probes=world.probes[i * per_run : (i + 1) * per_run],
            probes_per_s=args.probes_per_s,
        )
        reports = out[f"latency_{rate}"]["load_reports"] + out[f"latency_{rate}"]["probes"]
        out[f"latency_{rate}"]["cpu_us_per_report"] = {
            name: round((cpu_seconds(pid) - before[name]) / reports * 1e6)
            for name, pid in cpu.items()
        }
        out[f"latency_{rate}"]["load_before"] = load()
        out[f"latency_{rate}"]["instances"] = 1 + len(twins)
    for one in (service, *twins):
        one.stop()


def processes(service: Any) -> dict[str, int]:
    """The pids whose CPU a phase counts: the service's, its keeper's (the views kept
    apart) and the benchmark's mongod's."""
    found = {"monitoring": service.process.pid}
    if service.keeper is not None and service.keeper.process is not None:
        found["keeper"] = service.keeper.process.pid
    if (mongod := mongod_of(service.env["MONITORING_MONGO_URL"])) is not None:
        found["mongod"] = mongod
    return found


async def mongod_settings(client: AsyncMongoClient[dict[str, Any]]) -> dict[str, Any]:
    """The mongod's version and WiredTiger cache: the figures depend on them."""
    status = await client.admin.command("serverStatus")
    cache = status["wiredTiger"]["cache"]["maximum bytes configured"]
    return {"version": status["version"], "cache_gib": round(cache / 2**30, 2)}


async def run(args: argparse.Namespace) -> dict[str, Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(args.mongo_url, tz_aware=True)
    bench = Bench(args, client)
    out: dict[str, Any] = {
        "started_at": bench.now.isoformat(timespec="seconds"),
        "config": vars(args) | {"cores": os.cpu_count()},
        "load_before": load(),
        "mongod": await mongod_settings(client),
    }
    phases = args.phases
    try:
        if "pipeline" in phases or "ingest" in phases:
            await ingestion(bench, out)
        if "sustained" in phases:
            world = make_world(args.commitments, bench.today)
            out["sustained"] = [
                await sustained(bench, world, rate, args.sustained_seconds)
                for rate in args.sustained_rates
            ]
        if "contention" in phases:
            alone = out.get("summary", {}).get("ingest", {}).get("median")
            out["contention"] = await contention(bench, alone)
        if "history" in phases:
            out["history"] = {
                "runs": [
                    await history(bench, args.history_reports, i + 1) for i in range(args.repeat)
                ]
            }
        if "latency" in phases:
            await latency(bench, out)
        if "queries" in phases:
            out |= await queries(bench, args.query_commitments, args.query_reports)
            if args.query_scale > 1:  # the same queries on a state K times larger
                scaled = await queries(
                    bench, args.query_commitments * args.query_scale,
                    args.query_reports * args.query_scale,
                )  # fmt: skip
                out |= {f"{name}_scaled": value for name, value in scaled.items()}
        if "instances" in phases:
            out["instances"] = await instances(bench, args.reports)
    finally:
        await bench.close()
        await client.close()
    out["load_after"] = load()
    return out


async def queries(bench: Bench, commitments: int, reports: int) -> dict[str, Any]:
    """Query latency over a state of this many commitments and reports, built in
    monitoring's document shapes (bench/perf_queries.py) on a fresh service and database."""
    args = bench.args
    # its state is built as inline heads and counters (what is read is the same either way)
    service = bench.service(f"queries{commitments}", {"MONITORING_VIEWS_APART": "0"})
    db = bench.database(service)
    world = make_world(commitments, bench.today, seed=8)
    step(f"building query state: {commitments:,} commitments,", reports, "reports")
    group = f"{service.env['MONITORING_TOPIC_NAMESPACE']}monitoring.progress"
    out: dict[str, Any] = {"query_state": await build_state(db, world, reports, bench.now, group)}
    await service.start()
    step("querying", commitments, "commitments")
    out["load_queries"] = load()
    out["queries"] = await query_latency(
        service.url, world, bench.today.year, samples=args.query_samples, budget=args.budget
    )
    service.stop()
    return out


def rates(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap", default="127.0.0.1:9192")
    parser.add_argument("--mongo-url", default="mongodb://127.0.0.1:27017/?replicaSet=rs0")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="about ten minutes: "
        + ", ".join(f"--{k.replace('_', '-')} {v}" for k, v in QUICK.items())
        + " (unless given)",
    )
    parser.add_argument("--reports", type=int, help="N of pipeline, ingest, contention (200,000)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="ingestion, contention, history: median and range"
    )
    parser.add_argument("--commitments", type=int, default=1_000)
    parser.add_argument("--sustained-rates", type=rates, default=[5_000, 10_000, 20_000])
    parser.add_argument("--sustained-seconds", type=int, help="per rate (60)")
    parser.add_argument("--history-reports", type=int, help="N of history, per depth (120,000)")
    parser.add_argument("--latency-rates", type=rates, default=[1_000, 10_000])
    parser.add_argument("--latency-seconds", type=int, help="per rate (60)")
    parser.add_argument(
        "--latency-instances", type=int, default=1, help="monitoring instances in the group (1)"
    )
    parser.add_argument("--probes-per-s", type=int, default=10)
    parser.add_argument("--query-commitments", type=int, help="(10,000)")
    parser.add_argument("--query-reports", type=int, help="(1,000,000)")
    parser.add_argument("--query-samples", type=int, help="(200)")
    parser.add_argument(
        "--query-scale", type=int, help="then on K times the commitments and reports (5; 1: not)"
    )
    parser.add_argument("--budget", type=float, help="seconds per query, at most (20)")
    parser.add_argument("--phases", default=",".join(PHASES), help="any of " + ",".join(PHASES))
    parser.add_argument("--keep", action="store_true", help="keep the bench databases")
    parser.add_argument(
        "--profile", help="py-spy the service during each ingestion into FILE-<its tag>"
    )
    parser.add_argument(
        "--env", action="append", default=[], help="MONITORING_X=y for the service (experiments)"
    )
    args = parser.parse_args()
    defaults = {
        "reports": 200_000,
        "history_reports": 120_000,
        "sustained_seconds": 60,
        "latency_seconds": 60,
        "query_commitments": 10_000,
        "query_reports": 1_000_000,
        "query_samples": 200,
        "query_scale": 5,
        "budget": 20.0,
    }
    for name, value in (QUICK if args.quick else defaults).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.phases = [p for p in PHASES if p in set(args.phases.split(","))]
    result = asyncio.run(run(args))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"monitoring-{result['started_at'].replace(':', '')}.json"
    path.write_text(json.dumps(result, indent=1, default=str))
    print()
    print(report.table(result))
    print(f"\nJSON: {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")


if __name__ == "__main__":
    main()
