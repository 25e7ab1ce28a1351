"""Read side of the parking lot: reports held back until the commitment (or partner) they
name is known, listed so that nothing a partner sent waits unseen."""

from __future__ import annotations

from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from monitoring.core.adapters.repository import PARKED

Doc = dict[str, Any]


class WaitingViews:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self._db = db

    async def waiting(
        self, partner_id: str | None, commitment_id: str | None, offset: int, limit: int
    ) -> tuple[int, list[Doc]]:
        """(how many match, one page of them), latest parked first."""
        query: Doc = {}
        if partner_id is not None:
            query["partner_id"] = partner_id
        if commitment_id is not None:
            query["commitment_id"] = commitment_id
        total = await self._db[PARKED].count_documents(query)
        cursor = (
            self._db[PARKED]
            .find(query)
            .sort([("parked_at", DESCENDING), ("_id", DESCENDING)])
            .skip(offset)
            .limit(limit)
        )
        return total, await cursor.to_list()
