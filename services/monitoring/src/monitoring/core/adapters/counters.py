"""The counters the hot path keeps beside the rollups, on MongoDB: each scope's quarter and
year buckets (`buckets`, domain/buckets.py), the partners per scope (`scope_partners`,
domain/presence.py) and the annual report's year rows (`years`, `year_partners`,
`year_counts`: domain/years.py, domain/year_counts.py). All are kept by adding deltas in the
unit of work's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pymongo import UpdateOne

from monitoring.core.adapters import lanes
from monitoring.core.adapters.repository import (
    BUCKETS,
    FIND_BATCH,
    PRESENCE,
    ROLLUPS,
    YEAR_COUNTS,
    YEAR_PARTNERS,
    YEARS,
    _Repo,
)
from monitoring.core.domain import buckets, presence, year_counts, years
from monitoring.core.domain.figures import AMOUNT_NAMES
from monitoring.core.domain.rollups import Totals
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


#: a document's delta: its _id, the counts to add, the fields that name it
Delta = tuple[str, Mapping[str, int], Doc]


class _Incremented(_Repo):
    """Documents of counters, kept by adding deltas; one whose count falls to 0 is gone, as
    if it never was (a rebuild that takes the same reports in other batches never makes it).
    Sums go to the unit of work's lane (lanes.py); rows of one partner to its own document."""

    lane = 0

    async def _add(
        self,
        collection: str,
        count: str | Sequence[str],
        rows: Sequence[Delta],
        *,
        in_lane: bool = True,
    ) -> None:
        """One upsert per document ($inc the counts, $set the fields that name it), then
        those whose `count` (every one of the counts named) went down and came to 0 deleted."""
        if not rows:
            return
        if in_lane and self.lane:
            rows = [
                (lanes.laned(key, self.lane), counts, fixed | lanes.naming(key, self.lane))
                for key, counts, fixed in rows
            ]
        ops = (
            UpdateOne({"_id": key}, {"$inc": dict(counts), "$set": fixed}, upsert=True)
            for key, counts, fixed in rows
        )
        await self._write(collection, ops)
        names = (count,) if isinstance(count, str) else tuple(count)
        emptied = [key for key, counts, _ in rows if any(counts.get(n, 0) < 0 for n in names)]
        if emptied:
            gone = {"_id": {"$in": emptied}} | dict.fromkeys(names, 0)
            await self._db[collection].delete_many(gone, session=self._session)


class _Counters(_Incremented):
    """Rows of counts by key, each made a document by `_doc` (its ints are the counts), gone
    when `count` falls to 0."""

    collection: str
    count: str
    in_lane = True

    def _doc(self, key: str, row: Sequence[int]) -> Doc:
        raise NotImplementedError

    async def add(self, deltas: Mapping[str, list[int]]) -> None:
        rows = []
        for key, row in sorted(deltas.items()):
            doc = self._doc(key, row)
            del doc["_id"]
            fixed = {k: v for k, v in doc.items() if not isinstance(v, int)}
            rows.append((key, {k: v for k, v in doc.items() if isinstance(v, int)}, fixed))
        await self._add(self.collection, self.count, rows, in_lane=self.in_lane)


class MongoRollupRepository(_Repo, ports.RollupRepository):
    """The rollups: a sum per key (rollups.py), in the unit of work's lane."""

    lane = 0

    async def get_many(self, keys: Iterable[str]) -> dict[str, Totals]:
        wanted = set(keys)
        if not wanted:
            return {}
        found = lanes.by_key(await self._find(ROLLUPS, lanes.of_keys(wanted)))  # lanes added
        fields = Totals().as_dict()
        return {key: Totals(**{k: doc.get(k, 0) for k in fields}) for key, doc in found.items()}

    async def add(self, deltas: Mapping[str, Totals]) -> None:
        ops = (
            UpdateOne(
                {"_id": lanes.laned(key, self.lane)},
                {
                    "$inc": delta.as_dict(),
                    "$set": {"kind": key.split(":")[0]} | lanes.naming(key, self.lane),
                },
                upsert=True,
            )
            for key, delta in sorted(deltas.items())
        )
        await self._write(ROLLUPS, ops, ordered=True)


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
    """A partner's rows: written only by the instance holding the partner's partition."""

    collection, count, in_lane = PRESENCE, "commitments", False

    def _doc(self, key: str, row: Sequence[int]) -> Doc:
        return presence_doc(key, row)


def year_fields(key: str) -> Doc:
    partnership_id, scope, year = years.split_year_id(key)
    return {"partnership": partnership_id, "scope": scope, "year": year}


def year_doc(key: str, row: Mapping[str, int]) -> Doc:
    """A year row's document as its deltas make it."""
    return {"_id": key, **year_fields(key), **row}


def year_partner_fields(key: str) -> Doc:
    partnership_id, scope, year, partner_id = years.split_partner_row_id(key)
    return {"partnership": partnership_id, "scope": scope, "year": year, "partner_id": partner_id}


#: a partner row's fields, in the order of its counts (years.P_ENTRIES .. years.P_FIGURED)
PARTNER_FIELDS = ("entries", "commitments", "reporting", "with_figures")


def year_partner_counts(row: Sequence[int]) -> dict[str, int]:
    return dict(zip(PARTNER_FIELDS, row, strict=True))


def year_count_counts(row: Sequence[int]) -> dict[str, int]:
    return dict(zip(year_counts.FIELDS, row, strict=True))


class MongoYearRepository(_Incremented, ports.YearRepository):
    """The year rows and the partner rows, a row whose entries fall to 0 gone; and the count
    rows, from the partner rows that change read first (in the transaction: two batches that
    change one partner row conflict, so no count is lost), gone when every count is 0."""

    async def add(self, deltas: years.Yearly) -> None:
        rows = [(key, row, year_fields(key)) for key, row in sorted(deltas.rows.items())]
        partners = [
            (key, year_partner_counts(row), year_partner_fields(key))
            for key, row in sorted(deltas.partners.items())
        ]
        before: dict[str, list[int]] = {}
        if changing := year_counts.changing(deltas.partners):
            found = self._db[YEAR_PARTNERS].find(
                {"_id": {"$in": changing}},
                PARTNER_FIELDS,
                session=self._session,
                batch_size=FIND_BATCH,  # not the server's first batch of 101 and a getMore
            )
            async for doc in found:
                before[doc["_id"]] = [doc[name] for name in PARTNER_FIELDS]
        counted = year_counts.partners_counted(before, deltas.partners)
        await self._add(YEARS, years.ENTRIES, rows)
        await self._add(YEAR_PARTNERS, years.ENTRIES, partners, in_lane=False)
        counts = [
            (key, year_count_counts(row), year_fields(key)) for key, row in sorted(counted.items())
        ]
        await self._add(YEAR_COUNTS, year_counts.FIELDS, counts)
