"""The alert board's queries: monitoring's alerts (one per fingerprint, its current or last
episode, with its acknowledgement), filtered and paged, latest fired first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from monitoring.core.adapters.repository import ALERTS

Doc = dict[str, Any]
Db = AsyncDatabase[Doc]


@dataclass(frozen=True)
class AlertFilter:
    status: str | None = None
    partner_id: str | None = None
    partnership_id: str | None = None
    rule: str | None = None
    severity: str | None = None
    subject_id: str | None = None
    acknowledged: bool | None = None


class AlertBoardViews:
    def __init__(self, db: Db) -> None:
        self._coll = db[ALERTS]

    async def page(self, f: AlertFilter, offset: int, limit: int) -> tuple[int, list[Doc]]:
        """Latest fired first."""
        query: Doc = {
            name: value
            for name in (
                "status",
                "partner_id",
                "partnership_id",
                "rule",
                "severity",
                "subject_id",
                "acknowledged",
            )
            if (value := getattr(f, name)) is not None
        }
        total = await self._coll.count_documents(query)
        cursor = (
            self._coll.find(query)
            .sort([("fired_at", DESCENDING), ("_id", ASCENDING)])
            .skip(offset)
            .limit(limit)
        )
        return total, await cursor.to_list()

    async def get(self, fingerprint: str) -> Doc | None:
        return await self._coll.find_one({"_id": fingerprint})
