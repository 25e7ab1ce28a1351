"""How long monitoring's hot path takes per report in Python alone, without the broker or
MongoDB: the benchmark's world and reports (pactctl's ProgressSimulator), read off records,
in batches as one partition of the progress topic gives them, through `take_reports` with
the real domain and the real head and cell documents (documents.py), the other stores in
memory. What it leaves out is the driver's and mongod's share (encoding, round trips).

    python -m bench.domain_micro [--commitments 1000] [--reports 20000] [--batch 2000]
                                 [--skip 0] [--rounds 3] [--profile FILE]

Prints the CPU time per report of reading (bytes -> Report) and of `take_reports`, the
best of `rounds` passes from a fresh state; --skip: the batches holding the first reports
taken, not timed, and the time divided by the reports timed (with enough of them, what is
timed corrects every commitment's last period, as the alert latency phase's load does);
--profile: cProfile of the first pass (its
stats written to FILE, the top printed). A tool to compare two versions of the domain
quickly and with little noise, beside `make bench`, which measures the service whole.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import pstats
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from aiokafka.partitioner import DefaultPartitioner

from bench.parse_micro import Record
from bench.perf_world import make_world
from monitoring.bootstrap import alert_config
from monitoring.config import Settings
from monitoring.core.adapters import documents as d
from monitoring.core.adapters import inbound
from monitoring.core.adapters.report_codec import read
from monitoring.core.domain.alerting import Alert
from monitoring.core.domain.commands import TakeReports
from monitoring.core.domain.model import Commitment, Partner, Report
from monitoring.core.domain.ownership import Held
from monitoring.core.domain.progress import CommitmentProgress
from monitoring.core.service_layer.evaluation import settle_commitments
from monitoring.core.service_layer.handlers import Policy, take_reports
from monitoring.core.service_layer.unit_of_work import CommitmentRepository, UnitOfWork
from pact_common.turns import settle_heap
from pactctl.simulation import ProgressSimulator
from tests.support.stored_heads import StoredHeads
from tests.unit.monitoring import fakes

PARTITIONS = 4
TODAY = date(2026, 12, 4)
NOW = datetime.combine(TODAY, datetime.min.time(), UTC)
#: the service's policy as its defaults make it, the alerts' settings included (a resolve is
#: held five minutes, so a world reported in minutes keeps its resolved alerts firing, as the
#: service does): before 2026-12-05, 18:55 the tools held none
POLICY = Policy(alerts=alert_config(Settings(environment="development")))


@dataclass
class Scenario:
    """The benchmark's world as monitoring knows it, and its reports as records."""

    simulator: ProgressSimulator
    records: list[Record]
    partners: list[Partner]
    commitments: list[Commitment]


def scenario(commitments: int, reports: int, months: int | None = None) -> Scenario:
    """`months`: the history phase's world instead (bench/perf_history.py): monthly
    commitments, their window begun that many months ago."""
    if months is None:
        world = make_world(commitments, TODAY)
    else:
        from bench.perf_history import history_world  # the service's test stack, imported late

        world = history_world(commitments, TODAY, months)
    simulator = ProgressSimulator(world.commitments, seed=1, today=TODAY)
    records = [
        Record(r.to_bytes(), r.partner_id.encode(), offset=n)
        for n, r in enumerate(simulator.take(reports))
    ]
    made = [inbound.partner(e) for e in world.partner_events]  # type: ignore[arg-type]
    pledged = [inbound.commitment(e) for e in world.commitment_events]  # type: ignore[arg-type]
    return Scenario(
        simulator,
        records,
        [p for p in made if isinstance(p, Partner)],
        [c for c in pledged if isinstance(c, Commitment)],
    )


class DocumentCommitments(CommitmentRepository):
    """Heads and cells kept as the documents MongoCommitmentRepository stores (a head
    updated with $set/$unset as it is there), read back as it reads them."""

    def __init__(self, stored: StoredHeads) -> None:
        super().__init__()
        self.stored = stored

    async def _get_many(self, commitment_ids: Iterable[str]) -> dict[str, CommitmentProgress]:
        heads = self.stored.heads
        return {i: d.commitment_from(heads[i]) for i in commitment_ids if i in heads}

    async def _load_cells(
        self, progress: dict[str, CommitmentProgress], periods: dict[str, set[str] | None]
    ) -> None:
        for i, ps in periods.items():
            p = progress[i]
            wanted = p.marks_.keys() if ps is None else ps
            for period in wanted:
                doc = self.stored.cells.get(d.cell_id(i, period))
                if doc is not None:
                    p.periods.setdefault(period, d.entry_from(doc))
            if ps is None:
                p.complete = True

    async def _save_many(self, progress: list[CommitmentProgress]) -> None:
        for p in progress:
            self.stored.store(p)

    async def _due_for_evaluation(
        self, today: date, limit: int, held: Held
    ) -> list[CommitmentProgress]:
        return []


class IndexedAlerts(fakes.FakeAlertRepository):
    """The fake's alerts with an index by subject (the fake scans them all, as MongoDB's
    index on subject_key does not)."""

    def __init__(self, s: fakes.Store, by_subject: dict[str, dict[str, Alert]]) -> None:
        super().__init__(s)
        self.by_subject = by_subject

    async def firing_of(
        self, subject_keys: Iterable[str], skip: Collection[str] = ()
    ) -> dict[str, dict[str, Alert]]:
        out: dict[str, dict[str, Alert]] = {}
        skipped = set(skip)
        for key in set(subject_keys):
            mine = self.by_subject.get(key, {}).items()
            firing = {fp: a for fp, a in mine if a.is_firing and fp not in skipped}
            if firing:
                out[key] = firing
        return out

    async def save_many(self, alerts: Iterable[Alert]) -> None:
        for a in alerts:
            self.s.alerts[a.fingerprint] = a
            self.by_subject.setdefault(a.subject.key, {})[a.fingerprint] = a


class Work(UnitOfWork):
    """The in-memory stores of tests/unit/monitoring/fakes.py, shared (no copy per unit of
    work), with the commitments as documents."""

    def __init__(self, store: fakes.Store, stored: StoredHeads):
        self.store, self._stored = store, stored
        self._alerts: dict[str, dict[str, Alert]] = {}

    async def __aenter__(self) -> Work:
        for name, cls in fakes._REPOSITORIES.items():
            setattr(self, name, cls(self.store))
        self.rejections = fakes.FakeRejectionRepository(self.store, latest=self.store)
        self.commitments = DocumentCommitments(self._stored)
        self.alerts = IndexedAlerts(self.store, self._alerts)
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def commit(self) -> None:
        self.collect_new_events()

    async def rollback(self) -> None:
        return None


async def pledge(uow: UnitOfWork, commitments: Iterable[Commitment], policy: Policy) -> None:
    """The commitments as the service records them when they are pledged (record_commitment:
    new, then settled), so that what a pledge does (the alerts it fires at once, what it adds
    to the rollups, buckets and year rows) is not counted against their first reports."""
    async with uow:
        new = [CommitmentProgress.new(c) for c in commitments]
        await settle_commitments(uow, new, NOW, policy.alerts)
        await uow.commit()


def batches(reports: list[Report], size: int) -> list[list[Report]]:
    """As a consumer of a topic of PARTITIONS partitions (keyed by partner) takes them:
    up to `size` at a time from one partition, the partitions in turn."""
    partitioner = DefaultPartitioner()
    by_partition: list[list[Report]] = [[] for _ in range(PARTITIONS)]
    for r in reports:
        by_partition[partitioner(r.partner_id.encode(), range(PARTITIONS), [])].append(r)
    out: list[list[Report]] = []
    while any(by_partition):
        for queue in by_partition:
            if queue:
                out.append(queue[:size])
                del queue[:size]
    return out


async def run(args: argparse.Namespace) -> None:
    """--rounds passes from a fresh state; the best of each figure (CPU time of this
    process, so another process's turns on the cores count less)."""
    results = [await one_pass(args, profile=args.profile if n == 0 else None)
               for n in range(args.rounds)]  # fmt: skip
    read_us, take_us, one = (
        min(r.read_us for r in results),
        min(r.take_us for r in results),
        results[0],
    )
    print(
        f"{args.commitments:,} commitments, {args.reports:,} reports in batches of "
        f"{args.batch:,}{f', the first {args.skip:,} untimed' if args.skip else ''}, "
        f"best of {args.rounds}: read {read_us:.1f} µs, take_reports "
        f"{take_us:.1f} µs per report ({one.receipts:,} receipts; {one.alerts:,} alerts; people "
        f"trained in the rollups {one.trained:,}, the simulator's {one.simulated:,})"
    )


@dataclass(frozen=True)
class Pass:
    """One pass: CPU µs per report of reading and of take_reports, and what it left: the
    receipts, the alerts, and the people trained in the partners' rollups beside the
    simulator's count (equal when every report was taken once)."""

    read_us: float
    take_us: float
    reports: int
    receipts: int
    alerts: int
    trained: int
    simulated: int


async def one_pass(args: argparse.Namespace, profile: str | None) -> Pass:
    made = scenario(args.commitments, args.reports)
    started = time.process_time()
    reports = [r for r in map(read, made.records) if isinstance(r, Report)]
    read_us = (time.process_time() - started) / len(made.records) * 1e6
    store, stored = fakes.Store(), StoredHeads()
    store.partners.update((p.id, p) for p in made.partners)
    work, policy = Work(store, stored), POLICY
    await pledge(work, made.commitments, policy)
    profiler = cProfile.Profile() if profile else None
    elapsed, seen, timed = 0.0, 0, 0
    settle_heap()  # the collector as the service sets it once started
    for batch in batches(reports, args.batch):
        timing = seen >= args.skip  # the first --skip reports' batches are taken untimed
        seen += len(batch)
        started = time.process_time()
        if profiler and timing:
            profiler.enable()
        await take_reports(TakeReports(batch, []), work, lambda: NOW, policy)
        if profiler and timing:
            profiler.disable()
        if timing:
            elapsed += time.process_time() - started
            timed += len(batch)
        # what the in-memory stores hold now, out of the collector's sight (untimed): the
        # service holds nothing between batches (mongod does), so its collections never
        # walk a growing store
        gc.collect()
        gc.freeze()
    gc.unfreeze()
    trained = sum(t.people_trained for k, t in store.rollups.items() if k.startswith("partner:"))
    if profiler and profile:
        profiler.dump_stats(profile)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return Pass(
        read_us=read_us,
        take_us=elapsed / max(1, timed) * 1e6,
        reports=len(reports),
        receipts=len(store.receipts),
        alerts=len(store.alerts),
        trained=trained,
        simulated=made.simulator.people_trained,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commitments", type=int, default=1000)
    parser.add_argument("--reports", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip", type=int, default=0, help="untimed first (whole batches)")
    parser.add_argument("--profile", help="cProfile the first pass's take_reports into FILE")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
