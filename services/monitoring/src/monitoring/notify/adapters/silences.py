"""Silences on MongoDB (`silences`), what mutes alerts now (the active silences, and the
inhibition table over the firing alerts in `alerts`), and the held deliveries in the
webhook delivery queue."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from monitoring.core.adapters.repository import ALERTS
from monitoring.notify.adapters.delivery_queue import DELIVERIES, delivery_doc, delivery_from
from monitoring.notify.domain.delivery import Delivery
from monitoring.notify.domain.silences import (
    AlertFacts,
    Firing,
    Matchers,
    Silence,
    SilenceState,
    Suppression,
    inhibitors,
    suppression,
)
from monitoring.notify.service_layer.muting import MUTED, HeldDeliveries
from monitoring.notify.service_layer.silencing import Muting, SilenceStore

SILENCES = "silences"
Doc = dict[str, Any]
Db = AsyncDatabase[Doc]


async def ensure_indexes(db: Db) -> None:
    await db[SILENCES].create_indexes(
        [
            IndexModel([("ends_at", ASCENDING), ("starts_at", ASCENDING)]),
            IndexModel([("created_at", DESCENDING)]),
        ]
    )


def silence_doc(s: Silence) -> Doc:
    doc = asdict(s)
    doc["_id"] = doc.pop("silence_id")
    doc["matchers"] = s.matchers.as_dict()
    return doc


def silence_from(doc: Doc) -> Silence:
    values = {k: v for k, v in doc.items() if k not in ("_id", "matchers")}
    return Silence(silence_id=doc["_id"], matchers=Matchers(**doc["matchers"]), **values)


def state_query(state: SilenceState | None, now: datetime) -> Doc:
    if state is SilenceState.EXPIRED:
        return {"ends_at": {"$lte": now}}
    if state is SilenceState.PENDING:
        return {"starts_at": {"$gt": now}, "ends_at": {"$gt": now}}
    if state is SilenceState.ACTIVE:
        return {"starts_at": {"$lte": now}, "ends_at": {"$gt": now}}
    return {}


class MongoSilenceStore(SilenceStore):
    def __init__(self, db: Db) -> None:
        self._coll = db[SILENCES]

    async def add(self, silence: Silence) -> None:
        await self._coll.insert_one(silence_doc(silence))

    async def get(self, silence_id: str) -> Silence | None:
        doc = await self._coll.find_one({"_id": silence_id})
        return silence_from(doc) if doc is not None else None

    async def save(self, silence: Silence) -> None:
        await self._coll.replace_one({"_id": silence.silence_id}, silence_doc(silence))

    async def listed(
        self, state: SilenceState | None, partner_id: str | None, now: datetime
    ) -> list[Silence]:
        query = state_query(state, now)
        if partner_id is not None:
            query["matchers.partner_id"] = partner_id
        cursor = self._coll.find(query).sort([("created_at", DESCENDING)]).limit(500)
        return [silence_from(doc) for doc in await cursor.to_list()]

    async def active(self, now: datetime) -> list[Silence]:
        return await self.listed(SilenceState.ACTIVE, None, now)


class MongoMuting(Muting):
    def __init__(self, db: Db, table: Mapping[str, Iterable[str]]) -> None:
        self._silences = MongoSilenceStore(db)
        self._alerts = db[ALERTS]
        self._table = table

    async def check_many(self, alerts: Sequence[AlertFacts], now: datetime) -> list[Suppression]:
        if not alerts:
            return []
        silences = await self._silences.active(now)
        sources = set().union(*(inhibitors(a.rule, self._table) for a in alerts))
        firing: dict[str, list[Firing]] = {}  # by subject: inhibition is per subject
        if sources:
            query = {
                "subject_key": {"$in": sorted({a.subject_key for a in alerts})},
                "rule": {"$in": sorted(sources)},
                "status": "firing",
            }
            async for doc in self._alerts.find(query, {"rule": 1, "subject_key": 1}):
                key = doc["subject_key"]
                firing.setdefault(key, []).append(Firing(doc["_id"], doc["rule"], key))
        return [
            suppression(a, silences, firing.get(a.subject_key, ()), self._table, now)
            for a in alerts
        ]


class MongoHeldDeliveries(HeldDeliveries):
    def __init__(self, db: Db) -> None:
        self._coll = db[DELIVERIES]
        self._alerts = db[ALERTS]
        self._after: str | None = None  # where the next page of held deliveries starts

    async def by_key(self, key: str) -> Delivery | None:
        doc = await self._coll.find_one({"_id": key})
        return delivery_from(doc) if doc is not None else None

    async def held(self, limit: int) -> list[Delivery]:
        """A page at a time, by key, each call the page after the last, from the first again
        after a short page: however many are held, each is looked at in its turn."""
        query: Doc = {"status": {"$in": [s.value for s in MUTED]}, "next_attempt_at": {"$ne": None}}
        if self._after is not None:
            query["_id"] = {"$gt": self._after}
        docs = await self._coll.find(query).sort([("_id", ASCENDING)]).limit(limit).to_list()
        self._after = docs[-1]["_id"] if len(docs) == limit else None
        return [delivery_from(doc) for doc in docs]

    async def put(self, delivery: Delivery) -> None:
        await self._coll.replace_one(
            {"_id": delivery.key, "lease_owner": None},
            delivery_doc(delivery) | {"lease_until": None, "lease_owner": None},
        )

    async def alert_state(self, fingerprint: str) -> tuple[str, int] | None:
        doc = await self._alerts.find_one({"_id": fingerprint}, {"status": 1, "episode": 1})
        return (doc["status"], doc["episode"]) if doc is not None else None
