"""Read side of the dashboard: what the web pages show, straight from the collections the
handlers keep (commitments, rollups, targets, alerts). A scope is the whole partnership (the
secretariat's view) or one partner's commitments (a partner's view)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from ..domain.rollups import PARTNER, PARTNERSHIP, rollup_key
from .repository import ALERTS, COMMITMENTS, PARTNERSHIPS, ROLLUPS
from .views import MonitoringViews

Doc = dict[str, Any]
BREAKDOWNS = ("level", "country", "gender")
#: what a commitment's document holds that the pages do not need (figures per period)
_LIGHT = {"periods": 0}
_ANNUAL_SUMS = ("people_trained", "people_reached", "programmes_developed", "investment_cents")


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
    def alerts(self) -> Doc:
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

    async def commitments(self, scope: Scope, limit: int = 1000) -> list[Doc]:
        """The scope's commitments with their totals and series (not their periods)."""
        cursor = self._db[COMMITMENTS].find(scope.commitments, _LIGHT).sort("_id", ASCENDING)
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
        """Alerts of the scope's commitments (and, for the partnership, of its targets),
        newest first; `status` None: every alert, in whatever state its last episode is."""
        query = scope.alerts | ({"status": status} if status else {})
        cursor = self._db[ALERTS].find(query).sort([("fired_at", DESCENDING), ("_id", ASCENDING)])
        return await cursor.limit(limit).to_list()

    async def alert_history(self, scope: Scope, limit: int = 20) -> list[Doc]:
        """The latest episode of every alert, whether firing, resolved or informational,
        by the last time it changed (fired or resolved), newest first."""
        pipeline: list[Doc] = [
            {"$match": scope.alerts},
            {"$addFields": {"changed_at": {"$ifNull": ["$resolved_at", "$fired_at"]}}},
            {"$sort": {"changed_at": -1, "_id": 1}},
            {"$limit": limit},
        ]
        cursor = await self._db[ALERTS].aggregate(pipeline)
        return await cursor.to_list()

    async def annual(self, scope: Scope) -> list[Doc]:
        """The annual survey's figures, measured: per year of the periods reported, the sums
        of the latest revisions, and how many commitments and partners reported."""
        sums = {name: {"$sum": {"$ifNull": [f"$p.v.{name}", 0]}} for name in _ANNUAL_SUMS}
        pipeline: list[Doc] = [
            {"$match": scope.commitments},
            {"$project": {"partner_id": 1, "p": {"$objectToArray": {"$ifNull": ["$periods", {}]}}}},
            {"$unwind": "$p"},
            {
                "$group": {
                    "_id": {"$substrCP": ["$p.k", 0, 4]},
                    **sums,
                    "commitments": {"$addToSet": "$_id"},
                    "partners": {"$addToSet": "$partner_id"},
                }
            },
            {
                "$addFields": {
                    "commitments": {"$size": "$commitments"},
                    "partners": {"$size": "$partners"},
                }
            },
            {"$sort": {"_id": -1}},
        ]
        cursor = await self._db[COMMITMENTS].aggregate(pipeline)
        return await cursor.to_list()
