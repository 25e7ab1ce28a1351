"""The counters the hot path keeps beside the rollups, on MongoDB: each scope's quarter and
year buckets (`buckets`, domain/buckets.py) and the partners per scope (`scope_partners`,
domain/presence.py). Both are kept by adding deltas in the unit of work's transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import UpdateOne

from monitoring.core.adapters.repository import BUCKETS, PRESENCE, _Repo
from monitoring.core.domain import buckets, presence
from monitoring.core.domain.figures import AMOUNT_NAMES
from monitoring.core.service_layer import unit_of_work as ports

Doc = dict[str, Any]


def bucket_doc(key: str, row: Sequence[int]) -> Doc:
    """A bucket's document as a delta adds to it ($inc) and as a read finds it."""
    scope, _, label = key.partition("|")
    return {
        "_id": key,
        "scope": scope,
        "granularity": buckets.granularity_of(label),
        "bucket": label,
        **dict(zip(AMOUNT_NAMES, row, strict=False)),
        "commitments_reporting": row[buckets.REPORTING],
    }


class _Counters(_Repo):
    """Documents of counters, kept by adding deltas; one whose `count` falls to 0 is gone, as
    if it never was (a rebuild that takes the same reports in other batches never makes it)."""

    collection: str
    count: str

    def _doc(self, key: str, row: Sequence[int]) -> Doc:
        raise NotImplementedError

    async def add(self, deltas: Mapping[str, list[int]]) -> None:
        ops, emptied = [], []
        for key, row in sorted(deltas.items()):
            doc = self._doc(key, row)
            del doc["_id"]
            fixed = {k: v for k, v in doc.items() if not isinstance(v, int)}
            counts = {k: v for k, v in doc.items() if isinstance(v, int)}
            ops.append(UpdateOne({"_id": key}, {"$inc": counts, "$set": fixed}, upsert=True))
            if counts[self.count] < 0:
                emptied.append(key)
        if ops:
            await self._db[self.collection].bulk_write(ops, ordered=False, session=self._session)
        if emptied:
            gone = {"_id": {"$in": emptied}, self.count: 0}
            await self._db[self.collection].delete_many(gone, session=self._session)


class MongoBucketRepository(_Counters, ports.BucketRepository):
    collection, count = BUCKETS, "commitments_reporting"

    def _doc(self, key: str, row: Sequence[int]) -> Doc:
        return bucket_doc(key, row)


def presence_doc(key: str, row: Sequence[int]) -> Doc:
    scope, _, partner_id = key.partition("|")
    return {
        "_id": key,
        "scope": scope,
        "kind": scope.partition(":")[0],
        "partner_id": partner_id,
        "commitments": row[presence.COUNTED],
        "with_figures": row[presence.WITH_FIGURES],
    }


class MongoPresenceRepository(_Counters, ports.PresenceRepository):
    collection, count = PRESENCE, "commitments"

    def _doc(self, key: str, row: Sequence[int]) -> Doc:
        return presence_doc(key, row)
