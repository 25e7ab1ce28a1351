"""What taking the counters off the hot path would save, measured before it is built: the
same batches as `bench.batch_commands` (the benchmark's world on mongod, its commitments
pledged), taken with the counters written in the batch's transaction as now, then with
them stored instead as one pending document per batch (the partnership targets' rollups,
`members:`, still written: targets are evaluated on them), and those documents then folded
`--group` at a time: read, merged, applied through the real counter repositories and
deleted, in a transaction each. Needs `make infra-test`.

    python -m bench.fold_probe [--batch 100] [--batches 60] [--group 4] [--rounds 2]

Prints, per round, the milliseconds per batch of the hot path either way, and of the fold
per batch folded, with the counter writes the fold made against those the batches made.
A probe, not the design: the pending documents here are plain lists of deltas.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Mapping
from typing import Any

from bench.batch_commands import OnMongo, world_on
from bench.domain_micro import batches
from monitoring.core.adapters.counters import MongoRollupRepository
from monitoring.core.adapters.unit_of_work import MongoUnitOfWork
from monitoring.core.domain import buckets, presence, years
from monitoring.core.domain.rollups import MEMBERS, Totals, merge

DATABASE = "bench_fold_probe"
PENDING = "pending_counters"
Doc = dict[str, Any]


class _Kept:
    """One pending document's deltas, as pairs (keys may hold dots)."""

    def __init__(self) -> None:
        self.doc: Doc = {"rollups": [], "buckets": [], "presence": [], "rows": [], "partners": []}

    def writes(self) -> int:
        return sum(len(v) for v in self.doc.values())


class _PendingRollups(MongoRollupRepository):
    kept: _Kept

    async def add(self, deltas: Mapping[str, Totals]) -> None:
        members = {k: v for k, v in deltas.items() if k.startswith(f"{MEMBERS}:")}
        await super().add(members)
        self.kept.doc["rollups"] += [[k, list(v.values)] for k, v in deltas.items()
                                     if k not in members]  # fmt: skip


class _PendingCounts:
    def __init__(self, kept: _Kept, name: str) -> None:
        self.kept, self.name = kept, name

    async def add(self, deltas: Any) -> None:
        if isinstance(deltas, years.Yearly):
            self.kept.doc["rows"] += [[k, row] for k, row in deltas.rows.items()]
            self.kept.doc["partners"] += [[k, row] for k, row in deltas.partners.items()]
        else:
            self.kept.doc[self.name] += [[k, list(row)] for k, row in deltas.items()]


class PendingUnitOfWork(MongoUnitOfWork):
    """The unit of work with its counters kept as one pending document."""

    def _bind(self, db: Any, session: Any) -> None:
        super()._bind(db, session)
        self._kept = _Kept()
        self._where = (db, session)
        rollups = _PendingRollups(db, session)
        rollups.kept = self._kept
        self.rollups = rollups
        self.buckets = _PendingCounts(self._kept, "buckets")  # type: ignore[assignment]
        self.presence = _PendingCounts(self._kept, "presence")  # type: ignore[assignment]
        self.years = _PendingCounts(self._kept, "years")  # type: ignore[assignment]

    async def commit(self) -> None:
        db, session = self._where
        await db[PENDING].insert_one(self._kept.doc, session=session)
        await super().commit()


async def hot_path(on: OnMongo, size: int, kind: type[MongoUnitOfWork]) -> float:
    started = time.perf_counter()
    count = 0
    for batch in batches(on.reports, size):
        await on.take(batch, kind)
        count += 1
    return (time.perf_counter() - started) / count * 1000


async def fold(on: OnMongo, group: int) -> tuple[float, int, int, int]:
    """Fold every pending document, `group` at a time: ms per document folded, documents,
    the writes they held, the writes the fold made."""
    db = on.mongo.db
    ids = [d["_id"] async for d in db[PENDING].find({}, {"_id": 1}).sort("_id", 1)]
    held = made = 0
    started = time.perf_counter()
    for i in range(0, len(ids), group):
        chosen = {"_id": {"$in": ids[i : i + group]}}
        uow = on.uow()
        async with uow:
            session = uow.rollups._session  # type: ignore[attr-defined]
            roll: dict[str, Totals] = {}
            bucketed: buckets.Buckets = {}
            present: presence.Presence = {}
            yearly = years.Yearly()
            for d in await db[PENDING].find(chosen, session=session).to_list():
                held += sum(len(v) for k, v in d.items() if k != "_id")
                merge(roll, {k: Totals(*v) for k, v in d["rollups"]})
                buckets.merge(bucketed, dict(d["buckets"]))
                presence.merge(present, dict(d["presence"]))
                yearly.merge(years.Yearly(dict(d["rows"]), dict(d["partners"])))
            made += len(roll) + len(bucketed) + len(present)
            made += len(yearly.rows) + len(yearly.partners)
            await uow.rollups.add(roll)
            await uow.buckets.add(bucketed)
            await uow.presence.add(present)
            await uow.years.add(yearly)
            await db[PENDING].delete_many(chosen, session=session)
            await uow.commit()
    return (time.perf_counter() - started) / max(1, len(ids)) * 1000, len(ids), held, made


async def run(args: argparse.Namespace) -> None:
    reports = args.batch * args.batches
    for n in range(args.rounds):
        on = await world_on(args.mongo, DATABASE, args.commitments, reports)
        now = await hot_path(on, args.batch, MongoUnitOfWork)
        await on.close()
        on = await world_on(args.mongo, DATABASE, args.commitments, reports)
        pending = await hot_path(on, args.batch, PendingUnitOfWork)
        folded, documents, held, made = await fold(on, args.group)
        await on.close()
        print(
            f"round {n + 1}, batches of {args.batch:,}: counters in the batch {now:.1f} ms per "
            f"batch; stored pending {pending:.1f} ms, folded {args.group} at a time "
            f"{folded:.1f} ms per batch ({documents} batches: {held:,} counter deltas "
            f"held, {made:,} written by the fold)",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commitments", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--batches", type=int, default=60)
    parser.add_argument("--group", type=int, default=4, help="pending documents per fold")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--mongo", default="mongodb://127.0.0.1:27017/?replicaSet=rs0")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
