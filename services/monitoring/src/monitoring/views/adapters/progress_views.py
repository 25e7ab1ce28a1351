"""Read side: queries straight from the collections the handlers keep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from monitoring.core.adapters import lanes
from monitoring.core.adapters.documents import read_doc
from monitoring.core.adapters.repository import (
    ALERTS,
    CELLS,
    COMMITMENTS,
    PARTNERSHIPS,
    REJECTIONS,
    ROLLUPS,
    TARGETS,
)
from monitoring.core.domain.model import Metric
from monitoring.core.domain.rollups import PARTNERSHIP, members_key, rollup_key
from pact_common.mongo import matching

Doc = dict[str, Any]


@dataclass(frozen=True)
class RejectionFilter:
    partner_id: str | None = None
    commitment_id: str | None = None
    reason: str | None = None
    #: keyset cursor: only rejections older than (rejected_at, _id)
    before: tuple[datetime, str] | None = None


class MonitoringViews:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self._db = db

    async def rejections(self, f: RejectionFilter, limit: int) -> list[Doc]:
        """Newest first."""
        query = matching(partner_id=f.partner_id, commitment_id=f.commitment_id, reason=f.reason)
        if f.before is not None:
            at, rejection_id = f.before
            query["$or"] = [
                {"rejected_at": {"$lt": at}},
                {"rejected_at": at, "_id": {"$lt": rejection_id}},
            ]
        cursor = (
            self._db[REJECTIONS]
            .find(query)
            .sort([("rejected_at", DESCENDING), ("_id", DESCENDING)])
            .limit(limit)
        )
        return await cursor.to_list()

    async def commitment(self, commitment_id: str) -> Doc | None:
        found = await self.commitments({"_id": commitment_id}, None, 1)
        return found[0] if found else None

    async def commitments(self, query: Doc, after: str | None, limit: int) -> list[Doc]:
        """Commitments in id order, from after `after`: each head with `periods` (its cells
        by period) and `series` (the metric per period, in order, with the running total)."""
        if after is not None:
            query = {**query, "_id": {"$gt": after}}
        cursor = self._db[COMMITMENTS].find(query).sort("_id", ASCENDING).limit(limit)
        heads = await cursor.to_list()
        cells: dict[str, list[Doc]] = {doc["_id"]: [] for doc in heads}
        if heads:
            async for cell in self._db[CELLS].find({"commitment_id": {"$in": list(cells)}}):
                cells[cell["commitment_id"]].append(cell)
        return [read_doc(doc, cells[doc["_id"]]) for doc in heads]

    async def firing_alerts(self, subject_key: str) -> list[Doc]:
        return (await self.firing_of([subject_key])).get(subject_key, [])

    async def firing_of(self, subject_keys: list[str]) -> dict[str, list[Doc]]:
        """The alerts firing now about each subject, oldest first."""
        query = {"subject_key": {"$in": subject_keys}, "status": "firing"}
        out: dict[str, list[Doc]] = {}
        for doc in await self._db[ALERTS].find(query).sort("fired_at", ASCENDING).to_list():
            out.setdefault(doc["subject_key"], []).append(doc)
        return out

    async def partnership(self, partnership_id: str) -> tuple[Doc | None, Doc | None]:
        """(partnership, its rollup): either may be missing."""
        known = await self._db[PARTNERSHIPS].find_one({"_id": partnership_id})
        key = rollup_key(PARTNERSHIP, partnership_id)
        return known, (await lanes.sums_of(self._db[ROLLUPS], [key])).get(key)

    async def targets(self, partnership_id: str) -> list[tuple[Doc, float]]:
        """Each target of the partnership with its progress (baseline + member sum)."""
        targets = (
            await self._db[TARGETS]
            .find({"partnership_id": partnership_id})
            .sort("deadline", ASCENDING)
            .to_list()
        )
        keys = {members_key(partnership_id, Metric(t["metric"])) for t in targets}
        sums = await lanes.sums_of(self._db[ROLLUPS], keys)
        out = []
        for t in targets:
            metric = Metric(t["metric"])
            row = sums.get(members_key(partnership_id, metric), {})
            reported = (
                row.get("investment_cents", 0) / 100
                if metric is Metric.INVESTMENT_EUR
                else row.get(metric.value, 0)
            )
            out.append((t, t["baseline"] + reported))
        return out
