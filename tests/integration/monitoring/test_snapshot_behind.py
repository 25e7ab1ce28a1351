"""A report is refused on its partner and commitment only as they stand past the batch's
snapshot (unknown, or at the version the refusal saw). A transaction reads as of the point
up to which every write has committed, which can be older than what a plain read already
shows: a partner and a pledge stored while the batch's snapshot was behind them are not a
reason to refuse. On the real mongod, with the snapshot held behind them on purpose."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Self

import pytest
from pymongo import AsyncMongoClient

from monitoring.core.adapters.unit_of_work import MongoUnitOfWork
from monitoring.core.domain import commands
from monitoring.core.domain.intake import Taken
from monitoring.core.service_layer import handlers
from pact_common.mongo import Mongo
from pact_common.outbox import Outbox
from pact_common.unit_of_work import SnapshotBehind, Transaction, retry_transient
from tests.conftest import MONGO_URL
from tests.unit.monitoring.builders import NOW, commitment, partner, report

pytestmark = pytest.mark.integration

POLICY = handlers.Policy()


def clock() -> Any:
    return NOW


class HeldBehind(MongoUnitOfWork):
    """A unit of work whose snapshot is taken on entry (by a first read), before `meanwhile`
    stores what it does not see; later units of work are ordinary."""

    def __init__(self, mongo: Mongo, meanwhile: Callable[[], Awaitable[None]]) -> None:
        super().__init__(Transaction(mongo, Outbox(mongo.db), None))
        self._meanwhile = meanwhile

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        await self._tx.db["partners"].find_one({}, session=self._tx.session)  # the snapshot
        await self._meanwhile()
        return self


@pytest.fixture
async def mongo(db_name: str) -> Any:
    """With every collection a batch writes created already: a snapshot older than a
    collection cannot be read (SnapshotUnavailable), a different retry from this one."""
    mongo = Mongo(MONGO_URL, db_name)
    await store_partner_and_pledge(mongo, "p-before", "c-before")
    first = report("2025-Q1", 1, partner_id="p-before", commitment_id="c-before")
    await handlers.take_reports(commands.TakeReports([first], []), plain(mongo), clock, POLICY)
    yield mongo
    await mongo.close()


def plain(mongo: Mongo) -> MongoUnitOfWork:
    return MongoUnitOfWork(Transaction(mongo, Outbox(mongo.db), None))


async def store_partner_and_pledge(
    mongo: Mongo, partner_id: str = "p-acme", commitment_id: str = "c-cloud"
) -> None:
    known = commands.RecordPartner(partner(partner_id))
    await handlers.record_partner(known, plain(mongo), clock, POLICY)
    pledge = commands.RecordCommitment(commitment(commitment_id, partner_id=partner_id))
    await handlers.record_commitment(pledge, plain(mongo), clock, POLICY)


async def test_past_the_snapshot_the_partner_and_pledge_are_known(mongo: Mongo) -> None:
    async def meanwhile() -> None:
        await store_partner_and_pledge(mongo)

    async with HeldBehind(mongo, meanwhile) as uow:
        in_snapshot = (
            await uow.partners.get_many(["p-acme"]),
            await uow.commitments.get_many(["c-cloud"]),
        )
        past = [
            await uow.rejections.outdated(p, c)
            for p, c in (
                ({"p-acme": None}, {}),  # unknown in the snapshot
                ({}, {"c-cloud": None}),
                ({"p-acme": 1}, {}),  # seen at an older version
                ({"p-acme": 2}, {"c-cloud": 1}),  # seen as stored
                ({"p-none": None}, {"c-none": None}),
            )
        ]
    print("\nin the snapshot:", in_snapshot, "; newer past it:", past)
    assert in_snapshot == ({}, {})
    assert past == [True, True, True, False, False]


async def test_a_batch_read_behind_them_is_decided_again_not_refused(
    mongo: Mongo, mongo_client: AsyncMongoClient[dict[str, Any]], db_name: str
) -> None:
    db = mongo_client[db_name]
    taken = commands.TakeReports([report("2025-Q1", 600)], [])
    mine = {"_id": {"$regex": f"^{taken.reports[0].event_id}"}}
    attempts: list[str] = []

    async def meanwhile() -> None:
        await store_partner_and_pledge(mongo)

    @retry_transient  # as the progress consumer's `take` (bootstrap.py)
    async def take() -> Any:
        behind = not attempts
        attempts.append("behind" if behind else "current")
        uow = HeldBehind(mongo, meanwhile) if behind else plain(mongo)
        try:
            return await handlers.take_reports(taken, uow, clock, POLICY)
        except SnapshotBehind:
            kept = {n: await db[n].count_documents(mine) for n in ("rejections", "receipts")}
            attempts.append(f"stored nothing: {kept}")
            raise

    counts = await take()
    head = await db["commitments"].find_one({"_id": "c-cloud"})
    print("\nattempts:", attempts, "counts:", dict(counts), "achieved:", head and head["achieved"])
    assert attempts == [
        "behind",
        "stored nothing: {'rejections': 0, 'receipts': 0}",
        "current",
    ]
    assert counts[Taken.APPLIED] == 1 and head is not None and head["achieved"] == 600
    assert await db["rejections"].count_documents({}) == 0
    assert await db["receipts"].count_documents(mine) == 1
