"""Read side of the progress views and the annual report: commitments with their reported
periods (as domain objects, for domain/reporting.py), rollups and partnership names."""

from __future__ import annotations

import asyncio
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from monitoring.core.adapters import lanes
from monitoring.core.adapters.documents import commitment_from
from monitoring.core.adapters.repository import (
    BUCKETS,
    CELLS,
    COMMITMENTS,
    PARTNERS,
    PARTNERSHIPS,
    PRESENCE,
    ROLLUPS,
    YEAR_COUNTS,
    YEAR_PARTNERS,
    YEARS,
)
from monitoring.core.domain import year_counts, years
from monitoring.core.domain.figures import AMOUNT_NAMES
from monitoring.core.domain.progress import CommitmentProgress
from monitoring.core.domain.rollups import PARTNERSHIP, Totals, rollup_key
from monitoring.views.domain.annual_report import AnnualReport, Point, points
from monitoring.views.domain.suppression import suppressed
from monitoring.views.domain.year_rows import from_years, partner_counts, rows_of

Doc = dict[str, Any]


#: documents per batch read: each is decoded on the event loop, so a few milliseconds each
BATCH = 2000


def _progress(docs: list[Doc], cells: list[Doc]) -> list[CommitmentProgress]:
    by_commitment: dict[str, list[Doc]] = {doc["_id"]: [] for doc in docs}
    for cell in cells:
        by_commitment.get(cell["commitment_id"], []).append(cell)
    return [commitment_from(doc, by_commitment[doc["_id"]], complete=True) for doc in docs]


def _no_counts(doc: Doc) -> bool:
    return not any(doc.get(name) for name in year_counts.FIELDS)


class AggregateViews:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self._db = db
        #: one fold over many commitments at a time: the others wait without holding
        #: anything, so ingestion and /health share the process with one fold, not twenty
        self._folding = asyncio.Semaphore(1)

    async def progress(self, query: Doc) -> list[CommitmentProgress]:
        """The commitments matching `query`, each with every period's figures. Read in
        batches, so the event loop takes other work between them, and made objects off the
        loop."""
        async with self._folding:
            heads = self._db[COMMITMENTS].find(query).sort("_id", ASCENDING).batch_size(BATCH)
            docs = [doc async for doc in heads]
            which: Doc = {} if not query else {"commitment_id": {"$in": [d["_id"] for d in docs]}}
            cells = [cell async for cell in self._db[CELLS].find(which).batch_size(BATCH)]
            return await asyncio.to_thread(_progress, docs, cells)

    async def commitments(self, query: Doc) -> list[Doc]:
        projection = {"marks": 0, "totals": 0}
        cursor = self._db[COMMITMENTS].find(query, projection).sort("_id", ASCENDING)
        return await cursor.to_list()

    async def rollup(self, kind: str, key: str) -> Doc | None:
        """A rollup, its lanes added up (core/adapters/lanes.py)."""
        name = rollup_key(kind, key)
        return (await lanes.sums_of(self._db[ROLLUPS], [name])).get(name)

    async def series(self, scope: str, granularity: str) -> list[Point]:
        """A scope's series from its quarter (year) buckets: a few small documents."""
        query = {"scope": scope, "granularity": granularity}
        docs = lanes.summed(
            await self._db[BUCKETS].find(query).sort("bucket", ASCENDING).to_list(),
            gone=lambda doc: not doc.get("commitments_reporting"),
        )
        docs.sort(key=lambda doc: doc["bucket"])
        return points(
            (
                doc["bucket"],
                Totals(*(doc.get(name, 0) for name in AMOUNT_NAMES)),
                doc.get("commitments_reporting", 0),
            )
            for doc in docs
        )

    async def annual(self, year: int, partnership_id: str | None = None) -> AnnualReport:
        """The year's annual report from its year rows (core/domain/years.py): a document
        per partnership and scope, summed when no partnership is asked; and the partners
        per scope, from the count rows the hot path keeps (core/domain/year_counts.py)."""
        where: Doc = {"year": year} | ({"partnership": partnership_id} if partnership_id else {})
        fixed = {"_id", "partnership", "scope", "year"}
        found = await self._db[YEARS].find(where).to_list()
        rows = {
            d["_id"]: {k: v for k, v in d.items() if k not in fixed}
            for d in lanes.summed(found, gone=lambda d: not d.get(years.ENTRIES))
        }

        # only the count rows partner_counts takes (mongod leaves out the others, which
        # would cost decoding: every partnership's, per scope, when one is asked)
        of: Doc = (
            {"partnership": partnership_id}
            if partnership_id is not None
            else {"$or": [{"partnership": years.ALL}, {"scope": {"$regex": f"^{PARTNERSHIP}:"}}]}
        )
        found = await self._db[YEAR_COUNTS].find({"year": year} | of).to_list()
        counts = {
            d["_id"]: [d.get(name, 0) for name in year_counts.FIELDS]
            for d in lanes.summed(
                found, gone=lambda d: not any(d.get(n) for n in year_counts.FIELDS)
            )
        }
        partners = partner_counts(counts, year, partnership_id)
        ids = None
        if partnership_id is not None:
            total = where | {"scope": years.TOTAL, "commitments": {"$gt": 0}}
            ids = sorted(await self._db[YEAR_PARTNERS].distinct("partner_id", total))
        return from_years(year, rows_of(rows, year, partnership_id), partners,
                          partnership_id, ids)  # fmt: skip

    async def years_reported(self) -> list[int]:
        """The years with a period reported, of any commitment."""
        fields = {"year": 1, years.PERIODS: 1, lanes.LANE_OF: 1}
        found = await self._db[YEARS].find({"scope": years.TOTAL}, fields).to_list()
        return sorted({d["year"] for d in lanes.summed(found) if d.get(years.PERIODS, 0) > 0})

    async def rollups(self, kind: str) -> list[Doc]:
        found = await self._db[ROLLUPS].find({"kind": kind}).sort("_id", ASCENDING).to_list()
        return sorted(lanes.summed(found), key=lambda doc: str(doc["_id"]))

    async def suppressed(self, kind: str, key: str) -> bool:
        """Whether the group is hidden from partners (views/domain/suppression.py), from how
        many partners count in it and have figures there (core/domain/presence.py)."""
        where = {"kind": kind, "scope": rollup_key(kind, key)}
        counted = await self._db[PRESENCE].count_documents(where | {"commitments": {"$gt": 0}})
        figures = await self._db[PRESENCE].count_documents(where | {"with_figures": {"$gt": 0}})
        return suppressed(counted, figures)

    async def suppressed_of(self, kind: str) -> set[str]:
        """The keys of the groups of this kind hidden from partners."""
        rows = await (
            await self._db[PRESENCE].aggregate(
                [
                    {"$match": {"kind": kind}},
                    {
                        "$group": {
                            "_id": "$scope",
                            "counted": {"$sum": {"$cond": [{"$gt": ["$commitments", 0]}, 1, 0]}},
                            "figures": {"$sum": {"$cond": [{"$gt": ["$with_figures", 0]}, 1, 0]}},
                        }
                    },
                ]
            )
        ).to_list()
        return {r["_id"].partition(":")[2] for r in rows if suppressed(r["counted"], r["figures"])}

    async def partner_known(self, partner_id: str) -> bool:
        return await self._db[PARTNERS].find_one({"_id": partner_id}, {"_id": 1}) is not None

    async def partnership_names(self) -> dict[str, str]:
        return {d["_id"]: d.get("name", "") for d in await self._db[PARTNERSHIPS].find().to_list()}

    async def partnership_known(self, partnership_id: str) -> bool:
        found = await self._db[PARTNERSHIPS].find_one({"_id": partnership_id}, {"_id": 1})
        return found is not None
