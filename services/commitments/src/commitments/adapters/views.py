"""Read side: listings, a commitment with its history, targets; straight from the
collections (each listing filter is backed by an index, see repository.ensure_indexes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pymongo import ASCENDING

from pact_common.mongo import matching, page
from pact_common.paging import Position

from ..domain.partners import PartnerView
from .calls import CALL_ORDER, CALLS
from .repository import COMMITMENTS, HISTORY, LIST_ORDER, PARTNERS, TARGETS, Db, partner_from_doc

#: The order of GET /partnership-targets (LIST_ORDER is GET /commitments').
TARGET_ORDER = [("set_at", ASCENDING), ("_id", ASCENDING)]


@dataclass(frozen=True)
class CommitmentFilter:
    partner: str | None = None
    partnership: str | None = None
    status: str | None = None
    country: str | None = None
    level: str | None = None
    specialisation: str | None = None
    deadline_from: date | None = None
    deadline_to: date | None = None

    def query(self) -> dict[str, Any]:
        query = matching(
            partner_id=self.partner,
            partnership_id=self.partnership,
            status=self.status,
            countries=self.country,
            levels=self.level,
            specialisations=self.specialisation,
        )
        deadline: dict[str, str] = {}
        if self.deadline_from is not None:
            deadline["$gte"] = self.deadline_from.isoformat()
        if self.deadline_to is not None:
            deadline["$lte"] = self.deadline_to.isoformat()
        if deadline:
            query["deadline"] = deadline
        return query


class CommitmentViews:
    def __init__(self, db: Db) -> None:
        self._db = db

    async def commitments(
        self, f: CommitmentFilter, offset: int, limit: int, start: Position | None = None
    ) -> tuple[int, list[dict[str, Any]]]:
        return await page(self._db[COMMITMENTS], f.query(), LIST_ORDER, offset, limit, start)

    async def commitment(self, commitment_id: str) -> dict[str, Any] | None:
        return await self._db[COMMITMENTS].find_one({"_id": commitment_id})

    async def history(self, commitment_id: str) -> list[dict[str, Any]]:
        return await (
            self._db[HISTORY]
            .find({"commitment_id": commitment_id}, {"_id": 0})
            .sort("version", ASCENDING)
            .to_list()
        )

    async def targets(
        self, partnership: str | None, offset: int, limit: int, start: Position | None = None
    ) -> tuple[int, list[dict[str, Any]]]:
        query = matching(partnership_id=partnership or None)
        return await page(self._db[TARGETS], query, TARGET_ORDER, offset, limit, start)

    async def calls(
        self, partnership: str | None, offset: int, limit: int, start: Position | None = None
    ) -> tuple[int, list[dict[str, Any]]]:
        query = matching(partnership_id=partnership or None)
        return await page(self._db[CALLS], query, CALL_ORDER, offset, limit, start)

    async def partner(self, partner_id: str) -> PartnerView | None:
        doc = await self._db[PARTNERS].find_one({"_id": partner_id})
        return partner_from_doc(doc) if doc else None
