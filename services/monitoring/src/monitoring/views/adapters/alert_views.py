"""The alert board's queries: monitoring's alerts (one per fingerprint, its current or last
episode, with its acknowledgement), filtered and paged, latest fired first."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from monitoring.core.adapters.repository import ALERTS

Doc = dict[str, Any]
Db = AsyncDatabase[Doc]


class AlertBoardViews:
    def __init__(self, db: Db) -> None:
        self._coll = db[ALERTS]

    async def page(self, where: Doc, offset: int, limit: int) -> tuple[int, list[Doc]]:
        """Latest fired first. `where`: pact_common.mongo.matching of the alert's fields
        (status, partner_id, partnership_id, rule, severity, subject_id, acknowledged)."""
        total = await self._coll.count_documents(where)
        cursor = (
            self._coll.find(where)
            .sort([("fired_at", DESCENDING), ("_id", ASCENDING)])
            .skip(offset)
            .limit(limit)
        )
        return total, await cursor.to_list()

    async def get(self, fingerprint: str) -> Doc | None:
        return await self._coll.find_one({"_id": fingerprint})
