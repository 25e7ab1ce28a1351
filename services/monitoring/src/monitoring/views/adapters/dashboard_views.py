"""Read side of the dashboard: what the web pages show, from the collections the handlers
keep (commitments, rollups, targets) and the alerts. A scope is the whole
partnership (the secretariat's view) or one partner's commitments (a partner's view)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from monitoring.core.adapters.repository import COMMITMENTS, PARTNERSHIPS, ROLLUPS
from monitoring.core.domain.rollups import PARTNER, PARTNERSHIP, rollup_key
from monitoring.views.adapters.alert_views import AlertBoardViews
from monitoring.views.adapters.progress_views import MonitoringViews
from pact_common.mongo import matching

Doc = dict[str, Any]
BREAKDOWNS = ("level", "country", "gender")
#: the pages show at most this many commitments (most at risk first)
MAX_COMMITMENTS = 2000


@dataclass(frozen=True)
class Scope:
    partnership_id: str
    #: None: every partner of the partnership (the secretariat's view)
    partner_id: str | None = None

    @property
    def commitments(self) -> Doc:
        if self.partner_id is not None:
            return {"partner_id": self.partner_id}
        return {"partnership_id": self.partnership_id}

    @property
    def rollup(self) -> str:
        if self.partner_id is not None:
            return rollup_key(PARTNER, self.partner_id)
        return rollup_key(PARTNERSHIP, self.partnership_id)


class DashboardViews:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self._db = db
        self._views = MonitoringViews(db)
        self._board = AlertBoardViews(db)

    async def partnerships(self) -> list[Doc]:
        return await self._db[PARTNERSHIPS].find().sort("_id", ASCENDING).to_list()

    async def partnership_name(self, partnership_id: str) -> str | None:
        doc = await self._db[PARTNERSHIPS].find_one({"_id": partnership_id})
        return str(doc["name"]) if doc else None

    async def totals(self, scope: Scope) -> Doc:
        """The scope's rollup: people trained and reached, programmes, investment (cents),
        commitments measured and on track. Empty before anything counted."""
        return await self._db[ROLLUPS].find_one({"_id": scope.rollup}) or {}

    async def targets(self, partnership_id: str) -> list[tuple[Doc, float]]:
        """The partnership's common targets, each with its progress."""
        return await self._views.targets(partnership_id)

    async def commitments(self, scope: Scope, limit: int = MAX_COMMITMENTS) -> list[Doc]:
        """The scope's commitments: definition, periods, totals and series."""
        cursor = self._db[COMMITMENTS].find(scope.commitments).sort("_id", ASCENDING)
        return await cursor.limit(limit).to_list()

    async def breakdowns(self, scope: Scope) -> tuple[dict[str, dict[str, int]], int]:
        """People trained per level, country and gender (as reported), and in all."""
        facets: Doc = {
            name: [
                {"$project": {"kv": {"$objectToArray": {"$ifNull": [f"$totals.by_{name}", {}]}}}},
                {"$unwind": "$kv"},
                {"$group": {"_id": "$kv.k", "n": {"$sum": "$kv.v"}}},
            ]
            for name in BREAKDOWNS
        }
        facets["all"] = [{"$group": {"_id": None, "n": {"$sum": "$totals.people_trained"}}}]
        pipeline: list[Doc] = [{"$match": scope.commitments}, {"$facet": facets}]
        cursor = await self._db[COMMITMENTS].aggregate(pipeline)
        result = (await cursor.to_list())[0]
        out = {name: {row["_id"]: int(row["n"]) for row in result[name]} for name in BREAKDOWNS}
        everyone = int(result["all"][0]["n"]) if result["all"] else 0
        return out, everyone

    async def alerts(
        self, scope: Scope, status: str | None = "firing", limit: int = 50
    ) -> list[Doc]:
        """Alerts as the alert board keeps them (with acknowledgements), latest fired first:
        of the scope's commitments and, for the partnership, of its targets. `status` None:
        every alert, in whatever state its last episode is (the history)."""
        if scope.partner_id is not None:  # a partner's commitments, in every partnership
            where = matching(status=status, partner_id=scope.partner_id)
        else:
            where = matching(status=status, partnership_id=scope.partnership_id)
        return (await self._board.page(where, 0, limit))[1]
