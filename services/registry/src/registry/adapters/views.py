"""Read side: listing and audit-trail queries, straight from the collections."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from pact_common.mongo import Document, page
from pact_common.paging import Position

from .repository import HISTORY, PARTNERS, PARTNERSHIPS

#: The order of GET /partners: registration, then id.
PARTNER_ORDER = [("registered_at", ASCENDING), ("_id", ASCENDING)]


class RegistryViews:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._db = db

    async def partners(
        self, where: Document, offset: int, limit: int, start: Position | None = None
    ) -> tuple[int, list[dict[str, Any]]]:
        """`where`: pact_common.mongo.matching of the partner document's fields."""
        return await page(self._db[PARTNERS], where, PARTNER_ORDER, offset, limit, start)

    async def partner(self, partner_id: str) -> dict[str, Any] | None:
        return await self._db[PARTNERS].find_one({"_id": partner_id})

    async def history(self, partner_id: str) -> list[dict[str, Any]]:
        return await (
            self._db[HISTORY]
            .find({"partner_id": partner_id}, {"_id": 0})
            .sort([("at", ASCENDING), ("seq", ASCENDING)])
            .to_list()
        )

    async def user(self, user_id: str) -> dict[str, Any] | None:
        """A person's account (adapters.accounts), to judge the tokens it holds."""
        return await self._db["users"].find_one({"_id": user_id}, {"role": 1, "status": 1})

    async def partnerships(self) -> list[dict[str, Any]]:
        return await self._db[PARTNERSHIPS].find().sort("_id", ASCENDING).to_list()
