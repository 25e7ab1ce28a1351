"""Sums in lanes (core/adapters/lanes.py), on the real mongod: the same reports taken in
batches that all go to lane 0 (one instance), and in batches spread over lanes 0, 2 and 3
(instances each holding other partitions, a definition change between them), give every
view the same answer: the rollups of each kind, a partnership's and its targets' progress,
the series, the annual report and its years, the learners."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

import pytest
from datasketches import hll_sketch  # type: ignore[import-untyped]

from monitoring.core.adapters.lanes import LANE_OF
from monitoring.core.adapters.learner_sketches import sketches_of, unique
from monitoring.core.adapters.repository import ensure_indexes
from monitoring.core.adapters.unit_of_work import MongoUnitOfWork
from monitoring.core.domain import commands
from monitoring.core.domain.model import CommitmentStatus, Report
from monitoring.core.domain.ownership import Held
from monitoring.core.service_layer import handlers
from monitoring.views.adapters.aggregate_views import AggregateViews
from monitoring.views.adapters.progress_views import MonitoringViews
from pact_common.mongo import Mongo
from pact_common.outbox import Outbox
from pact_common.unit_of_work import Transaction
from pact_contracts.progress import LEARNERS_SKETCH_LG_K
from tests.conftest import MONGO_URL
from tests.unit.monitoring.builders import (
    NOW,
    commitment,
    partner,
    partnership_target,
    report,
)

pytestmark = pytest.mark.integration

POLICY = handlers.Policy()
PARTNERS = ("p-acme", "p-beta", "p-gamma")
#: commitment -> (partner, countries, levels)
COMMITMENTS = {
    "c-1": ("p-acme", ("DE", "FR"), ("advanced",)),
    "c-2": ("p-acme", ("FR",), ("basic", "expert")),
    "c-3": ("p-beta", ("DE",), ("intermediate",)),
    "c-4": ("p-gamma", ("IT", "DE"), ("advanced", "basic")),
}
QUARTERS = ("2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2")


def clock() -> Any:
    return NOW


def uow(mongo: Mongo, apart: bool = False) -> MongoUnitOfWork:
    """`apart`: the views kept by the keeper (domain/view_journal.py)."""
    return MongoUnitOfWork(Transaction(mongo, Outbox(mongo.db), None), views_apart=apart)


def sketch(*learners: str) -> bytes:
    s = hll_sketch(LEARNERS_SKETCH_LG_K)
    for learner in learners:
        s.update(learner)
    return bytes(s.serialize_compact())


def stream(seed: int) -> list[Report]:
    """Reports of every commitment and quarter, some revised, some with learners."""
    rng, out = random.Random(seed), []
    for quarter in QUARTERS:
        for cid, (pid, countries, _) in COMMITMENTS.items():
            for revision in range(1, rng.choice((1, 1, 2, 3)) + 1):
                trained = rng.randrange(0, 400)
                by_country = {countries[0]: trained // 2}
                r = report(
                    quarter,
                    trained,
                    revision=revision,
                    partner_id=pid,
                    commitment_id=cid,
                    people_reached=rng.randrange(0, 900),
                    by_country=by_country,
                    by_gender={"female": trained // 3},
                )
                learners = sketch(*(f"{cid}-{quarter}-{i}" for i in range(rng.randrange(1, 30))))
                out.append(replace(r, learners=learners))
    rng.shuffle(out)
    return out


async def take(
    mongo: Mongo,
    reports: Sequence[Report],
    lanes: Sequence[int],
    apart: bool | Callable[[], bool] = False,
    midway: Callable[[], Awaitable[None]] | None = None,
    midway_at: int | None = None,
) -> None:
    """The reports in batches of 5, the batches in `lanes` in turn; after half of them c-2
    is withdrawn and c-3 moves to other countries (a unit of work of lane 0). `midway` is
    awaited before batch `midway_at` (half of them by default). `apart`: how each unit of
    work keeps the views (asked each time)."""

    def uow(mongo: Mongo) -> MongoUnitOfWork:
        return globals()["uow"](mongo, apart() if callable(apart) else apart)

    for p in PARTNERS:
        await handlers.record_partner(commands.RecordPartner(partner(p)), uow(mongo), clock, POLICY)
    for cid, (pid, countries, levels) in COMMITMENTS.items():
        pledge = commitment(cid, partner_id=pid, countries=countries, levels=levels)
        await handlers.record_commitment(
            commands.RecordCommitment(pledge), uow(mongo), clock, POLICY
        )
    target = commands.RecordPartnershipTarget(partnership_target())
    await handlers.record_partnership_target(target, uow(mongo), clock, POLICY)
    batches = [reports[i : i + 5] for i in range(0, len(reports), 5)]
    for n, batch in enumerate(batches):
        if midway is not None and n == (len(batches) // 2 if midway_at is None else midway_at):
            await midway()
        if n == len(batches) // 2:
            for changed in (
                commitment("c-2", partner_id="p-acme", countries=("FR",), version=2,
                           levels=("basic", "expert"), status=CommitmentStatus.WITHDRAWN),
                commitment("c-3", partner_id="p-beta", countries=("ES", "PT"), version=2,
                           levels=("intermediate",)),
            ):  # fmt: skip
                cmd = commands.RecordCommitment(changed)
                await handlers.record_commitment(cmd, uow(mongo), clock, POLICY)
        held = Held(frozenset({lanes[n % len(lanes)]}))  # the lowest it holds: its lane
        cmd = commands.TakeReports(list(batch), [], held)
        await handlers.take_reports(cmd, uow(mongo), clock, POLICY)


async def answers(mongo: Mongo) -> dict[str, Any]:
    views, progress = AggregateViews(mongo.db), MonitoringViews(mongo.db)
    out: dict[str, Any] = {}
    for kind in ("partnership", "partner", "country", "level", "members"):
        out[f"rollups {kind}"] = await views.rollups(kind)
    out["rollup"] = await views.rollup("partnership", "digital-ecosystem")
    out["partnership"] = (await progress.partnership("digital-ecosystem"))[1]
    out["targets"] = [(t["_id"], value) for t, value in await progress.targets("digital-ecosystem")]
    for scope in ("partnership:digital-ecosystem", "country:DE", "country:FR", "level:basic"):
        for granularity in ("quarter", "year"):
            out[f"series {scope} {granularity}"] = await views.series(scope, granularity)
    out["years"] = years = await views.years_reported()
    for year in years:
        out[f"annual {year}"] = await views.annual(year)
        out[f"annual {year} digital"] = await views.annual(year, "digital-ecosystem")
    found = await mongo.db["learner_sketches"].find().to_list()
    out["learners"] = {key: unique(s) for key, s in sorted(sketches_of(found).items())}
    return out


@contextlib.asynccontextmanager
async def fresh(db_name: str, *names: str) -> AsyncIterator[list[Mongo]]:
    """Databases of their own (`<db_name>-<name>`), empty, dropped afterwards."""
    mongos = [Mongo(MONGO_URL, f"{db_name}-{name}") for name in names]
    try:
        for mongo in mongos:
            await mongo.client.drop_database(mongo.db.name)
        yield mongos
    finally:
        for mongo in mongos:
            await mongo.client.drop_database(mongo.db.name)
            await mongo.close()


async def same_answers(expected: Mongo, got: Mongo) -> dict[str, Any]:
    """What `got` answers (answers), each the same as what `expected` answers."""
    want, have = await answers(expected), await answers(got)
    print("the partnership's rollup:", have["rollup"])
    for name, value in want.items():
        assert have[name] == value, name
    return have


async def test_sums_spread_over_lanes_read_as_the_sums_of_one(db_name: str) -> None:
    reports = stream(seed=5)
    async with fresh(db_name, "one", "spread") as (one, spread):
        await take(one, reports, [0])
        await take(spread, reports, [0, 2, 3, 2])
        laned = {
            name: await spread.db[name].count_documents({LANE_OF: {"$exists": True}})
            for name in ("rollups", "buckets", "years", "year_counts", "learner_sketches")
        }
        print(f"\n{len(reports)} reports; documents of lanes 2 and 3: {laned}")
        assert all(laned.values()), "every kind of sum has documents in lanes 2 and 3"
        assert await one.db["rollups"].count_documents({LANE_OF: {"$exists": True}}) == 0
        got = await same_answers(one, spread)
        print("learners:", got["learners"])
        assert got["rollup"]["people_trained"] > 0 and got["years"] == [2025, 2026]


async def test_instances_starting_together_leave_no_collection_for_a_batch_to_create(
    db_name: str,
) -> None:
    """A collection first written in a transaction is created by it: two instances' first
    batches would each create it, and the second to commit would fail with WriteConflict."""
    mongo = Mongo(MONGO_URL, db_name)
    try:
        await asyncio.gather(ensure_indexes(mongo.db), ensure_indexes(mongo.db))
        made = set(await mongo.db.list_collection_names())
        print("\ncollections at start:", sorted(made))
        written = {"receipts", "parking_holds", "partners", "partnerships", "commitments",
                   "periods", "alerts", "rollups", "buckets", "years", "year_partners",
                   "year_counts", "scope_partners", "learner_sketches", "targets"}  # fmt: skip
        assert written <= made, written - made
    finally:
        await mongo.close()
