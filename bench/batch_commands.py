"""What one batch of the hot path asks of mongod: the commands `take_reports` sends in its
transaction, how many documents each writes, and how long each took (the driver's command
monitoring: the round trip, mongod's work included), on the benchmark's world and reports.
Needs a mongod replica set (`make infra-test`); uses a database of its own, dropped first.

    python -m bench.batch_commands [--batch 100] [--batches 60] [--skip 20] [--mongo URL]
                                   [--months 120 --commitments 500 --batch 500 ...]
                                   [--profile FILE] [--heads] [--without-views]

The first `--skip` batches are left out of the figures (the first reports of every
commitment: new cells, new rows). `--batch 100` is about what a batch holds at 1,000
reports/s, 2,000 what it holds when monitoring is behind. `--heads`: after the batches, how
large the heads are (what a batch reads of each touched commitment), the largest's bytes per
field and how long the driver takes to decode it: what grows with each commitment's history.
`--without-views`: the views' counters (buckets, partners per scope, year rows) neither
worked out nor written, the rollups kept: what they cost a batch (an experiment: what
is stored is then wrong; docs/scaling.md, order of work, step 4). The unit of work is the
inline one: with the views kept apart (the service's default since 2026-12-07) a batch
writes one journal document instead of the counters, which `--without-views` comes
closest to.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import statistics
import time
import timeit
from collections import Counter
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import bson
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo import AsyncMongoClient, monitoring

from bench.domain_micro import NOW, POLICY, batches, pledge, scenario
from monitoring.core.adapters import counters
from monitoring.core.adapters import repository as r
from monitoring.core.adapters.report_codec import read
from monitoring.core.adapters.unit_of_work import MongoUnitOfWork
from monitoring.core.domain import buckets, years
from monitoring.core.domain.commands import TakeReports
from monitoring.core.domain.model import Report
from monitoring.core.service_layer import evaluation
from monitoring.core.service_layer.handlers import take_reports
from monitoring.notify.adapters.inbound import DeliveriesOnDecision
from monitoring.notify.service_layer.handlers import DeliveryPolicy
from pact_common.mongo import Mongo
from pact_common.outbox import Outbox
from pact_common.turns import collecting_after, settle_heap
from pact_common.unit_of_work import Transaction

DATABASE = "bench_batch_commands"


class Commands(monitoring.CommandListener):
    """Per (command, collection) while `on`: how many were sent, the documents they
    carried and their round trips in µs."""

    def __init__(self) -> None:
        self.on = False
        self.sent: Counter[tuple[str, str]] = Counter()
        self.documents: Counter[tuple[str, str]] = Counter()
        self.micros: Counter[tuple[str, str]] = Counter()
        self._names: dict[int, tuple[str, str]] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if not self.on:
            return
        command = event.command
        target = command.get(event.command_name)
        name = (event.command_name, "(cursor)" if event.command_name == "getMore" else str(target))
        self._names[event.request_id] = name
        self.sent[name] += 1
        self.documents[name] += len(command.get("updates", command.get("documents", ())))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        if (name := self._names.pop(event.request_id, None)) is not None:
            self.micros[name] += event.duration_micros

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._names.pop(event.request_id, None)


@dataclass
class OnMongo:
    """The benchmark's world on mongod, its commitments pledged, and its reports to take."""

    mongo: Mongo
    reports: list[Report]
    on_decided: DeliveriesOnDecision

    def uow(self, kind: type[MongoUnitOfWork] = MongoUnitOfWork) -> MongoUnitOfWork:
        tx = Transaction(self.mongo, Outbox(self.mongo.db), None)
        return kind(tx, on_decided=self.on_decided)

    async def take(
        self, batch: list[Report], kind: type[MongoUnitOfWork] = MongoUnitOfWork
    ) -> None:
        with collecting_after():  # as the service's progress consumer takes a batch
            await take_reports(TakeReports(batch, []), self.uow(kind), lambda: NOW, POLICY)

    async def close(self) -> None:
        await self.mongo.client.drop_database(self.mongo.db.name)
        await self.mongo.client.close()


async def world_on(
    url: str,
    database: str,
    commitments: int,
    reports: int,
    listeners: list[Any] | None = None,
    months: int | None = None,
) -> OnMongo:
    """A database of its own (dropped first), the world's partners stored and its
    commitments pledged as the service records them (`months`: the history phase's world)."""
    mongo = Mongo.__new__(Mongo)  # Mongo's client, with the listeners
    mongo.client = AsyncMongoClient(
        url, tz_aware=True, uuidRepresentation="standard", event_listeners=listeners or []
    )
    await mongo.client.drop_database(database)
    mongo.db = mongo.client[database]
    await r.ensure_indexes(mongo.db)
    made = scenario(commitments, reports, months)
    for partner in made.partners:
        await r.MongoPartnerRepository(mongo.db, None).put(partner)  # type: ignore[arg-type]
    on = OnMongo(
        mongo,
        [x for x in map(read, made.records) if isinstance(x, Report)],
        DeliveriesOnDecision(lambda: NOW, DeliveryPolicy()),
    )
    for i in range(0, len(made.commitments), 50):  # a ten-year pledge fires nine alerts
        await pledge(on.uow(), made.commitments[i : i + 50], POLICY)
    settle_heap()  # as the service does once started: the reports held here out of the GC's way
    return on


def without_views() -> None:
    """The views' counters neither worked out nor written from now on, in this process."""

    async def nothing(self: Any, deltas: Any) -> None:
        return None

    vars(evaluation).update(  # the module's names for the domain's functions
        buckets=SimpleNamespace(change=lambda p, moved: {}, merge=buckets.merge),
        presence=SimpleNamespace(change=lambda p, moved: {}, merge=buckets.merge),
        year_deltas=SimpleNamespace(change=lambda p, moved: years.Yearly()),
    )
    for repository in (
        counters.MongoBucketRepository,
        counters.MongoPresenceRepository,
        counters.MongoYearRepository,
    ):
        repository.add = nothing  # type: ignore[method-assign]


async def run(args: argparse.Namespace) -> None:
    if args.without_views:
        without_views()
    listener = Commands()
    on = await world_on(
        args.mongo, DATABASE, args.commitments, args.batch * args.batches, [listener], args.months
    )
    seconds: list[float] = []
    chunks = (
        batches(on.reports, args.batch)
        if args.months is None  # as the history phase's consumer takes them: in turns
        else [on.reports[i : i + args.batch] for i in range(0, len(on.reports), args.batch)]
    )
    profile = cProfile.Profile()
    for n, batch in enumerate(chunks):
        listener.on = n >= args.skip
        if listener.on and args.profile:
            profile.enable()
        started = time.perf_counter()
        await on.take(batch)
        if listener.on:
            seconds.append(time.perf_counter() - started)
    profile.disable()
    listener.on = False
    if args.profile:
        profile.dump_stats(args.profile)
    print_table(listener, seconds, args.batch, args.skip)
    if args.heads:
        await print_heads(on.mongo.db)
    await on.close()


async def print_heads(db: Any) -> None:
    """The heads as stored: their sizes, and the largest's bytes per field (each field as a
    document of its own) and its decoding, as the service's client decodes it (tz-aware)."""
    raw = CodecOptions(document_class=RawBSONDocument)
    heads = [doc.raw async for doc in db.get_collection(r.COMMITMENTS, codec_options=raw).find()]
    sizes = sorted(map(len, heads))
    largest = max(heads, key=len)
    decoded: dict[str, Any] = bson.decode(largest, CodecOptions(tz_aware=True))
    runs = 2000
    micros = timeit.timeit(lambda: bson.decode(largest, CodecOptions(tz_aware=True)), number=runs)
    print(
        f"heads: {len(sizes):,}, {statistics.median(sizes):,.0f} B median, {sizes[-1]:,} B the "
        f"largest, decoded in {micros / runs * 1e6:.1f} µs; its fields over 100 B:"
    )
    fields = {name: len(bson.encode({name: value})) for name, value in decoded.items()}
    for name, size in sorted(fields.items(), key=lambda kv: -kv[1]):
        if size > 100:
            print(f"  {name:<16} {size:8,} B")


def print_table(listener: Commands, seconds: list[float], size: int, skipped: int) -> None:
    count = len(seconds)
    per = {k: listener.micros[k] / count / 1000 for k in listener.sent}
    print(
        f"{count} batches of {size:,} reports (after the first {skipped}): "
        f"{sum(seconds) / count * 1000:.1f} ms each, of which "
        f"{sum(per.values()):.1f} ms in {sum(listener.sent.values()) / count:.1f} round trips"
    )
    heads = ("command", "collection", "per batch", "ms", "docs", "µs/doc")
    print("{:<18} {:<18} {:>10} {:>8} {:>8} {:>8}".format(*heads))
    for name in sorted(per, key=lambda k: -per[k]):
        sent, docs = listener.sent[name] / count, listener.documents[name] / count
        each = f"{per[name] * 1000 / docs:8.1f}" if docs else f"{'':8}"
        print(f"{name[0]:<18} {name[1][:18]:<18} {sent:10.2f} {per[name]:8.2f} {docs:8.1f} {each}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commitments", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--batches", type=int, default=60)
    parser.add_argument("--skip", type=int, default=20, help="batches not counted, first")
    parser.add_argument("--mongo", default="mongodb://127.0.0.1:27017/?replicaSet=rs0")
    parser.add_argument(
        "--months",
        type=int,
        help="the history phase's world: monthly commitments begun that many months ago "
        "(with --batch as the commitments, each batch is one month of every commitment)",
    )
    parser.add_argument("--profile", help="write the counted batches' cProfile stats there")
    parser.add_argument("--heads", action="store_true", help="then the heads' sizes")
    parser.add_argument(
        "--without-views", action="store_true", help="the views' counters left out (experiment)"
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
