"""A pledge is not refused on a snapshot older than the partner's approval. A transaction
reads as of the point up to which every write has committed, which can be older than what a
plain read already shows: on the real mongod, with the snapshot held behind on purpose."""

from __future__ import annotations

from typing import Any, Self

import pytest
from pymongo import AsyncMongoClient

from commitments.adapters.unit_of_work import MongoUnitOfWork
from commitments.domain import commands
from commitments.service_layer import handlers
from pact_common.mongo import Mongo
from pact_common.outbox import Outbox
from pact_common.unit_of_work import Transaction
from tests.conftest import MONGO_URL
from tests.unit.commitments.fakes import ACTIVE_PARTNER, PARTNER_ID, clock, pledge_fields

pytestmark = pytest.mark.integration


def plain(mongo: Mongo) -> MongoUnitOfWork:
    return MongoUnitOfWork(Transaction(mongo, Outbox(mongo.db), None))


class ApprovedMeanwhile(MongoUnitOfWork):
    """The first time it is entered, its snapshot is taken (by a first read) before the
    partner's approval is stored by another unit of work; later it is an ordinary one."""

    def __init__(self, mongo: Mongo) -> None:
        super().__init__(Transaction(mongo, Outbox(mongo.db), None))
        self.mongo = mongo
        self.entered = 0

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.entered += 1
        if self.entered == 1:
            await self._tx.db["partners"].find_one({}, session=self._tx.session)  # the snapshot
            async with plain(self.mongo) as other:
                await other.partners.put(ACTIVE_PARTNER)
                await other.commit()
        return self


@pytest.fixture
async def mongo(db_name: str) -> Any:
    """With the collections a pledge writes created already (a snapshot older than a
    collection cannot be read: SnapshotUnavailable, another retry)."""
    mongo = Mongo(MONGO_URL, db_name)
    for name in ("partners", "commitments", "commitment_history", "outbox"):
        await mongo.db.create_collection(name)
    yield mongo
    await mongo.close()


async def test_past_the_snapshot_the_approval_is_seen(mongo: Mongo) -> None:
    uow = ApprovedMeanwhile(mongo)
    async with uow:
        in_snapshot = await uow.partners.get(PARTNER_ID)
        past = [
            await uow.partners.newer_by_now(PARTNER_ID, version)
            for version in (None, ACTIVE_PARTNER.version - 1, ACTIVE_PARTNER.version)
        ]
    print("\nin the snapshot:", in_snapshot, "; newer past it than (none, 1, 2):", past)
    assert in_snapshot is None and past == [True, True, False]


async def test_a_pledge_read_behind_the_approval_is_decided_again(
    mongo: Mongo, mongo_client: AsyncMongoClient[dict[str, Any]], db_name: str
) -> None:
    uow = ApprovedMeanwhile(mongo)
    cmd = commands.PledgeCommitment(**pledge_fields())  # type: ignore[arg-type]
    commitment = await handlers.pledge_commitment(cmd, uow, clock)
    stored = await mongo_client[db_name]["commitments"].find_one({"_id": commitment.id})
    print(f"\nunits of work entered: {uow.entered}; stored: {stored and stored['_id']}")
    assert uow.entered == 2 and stored is not None
