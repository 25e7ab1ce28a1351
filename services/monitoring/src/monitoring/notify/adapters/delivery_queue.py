"""The webhook delivery queue on MongoDB (`alert_deliveries`): `_id` is the delivery's unique
key (fingerprint|episode|transition|receiver), so enqueuing is idempotent. The worker leases
each delivery it sends (wall-clock lease, so a crashed worker's claims expire); the retry
schedule itself (`next_attempt_at`) follows the service's clock."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, InsertOne, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from monitoring.notify.domain.delivery import Delivery, DeliveryStatus, Transition
from monitoring.notify.service_layer.ports import DeliveryQueue

DELIVERIES = "alert_deliveries"
Doc = dict[str, Any]
Db = AsyncDatabase[Doc]
_DUPLICATE_KEY = 11000
_DUE = (DeliveryStatus.PENDING.value, DeliveryStatus.FAILED.value)


async def ensure_indexes(db: Db) -> None:
    await db[DELIVERIES].create_indexes(
        [
            IndexModel([("delivery_id", ASCENDING)], unique=True),
            IndexModel([("status", ASCENDING), ("next_attempt_at", ASCENDING)]),
            IndexModel([("receiver", ASCENDING), ("created_at", DESCENDING)]),
            IndexModel([("fingerprint", ASCENDING), ("episode", ASCENDING)]),
            IndexModel([("created_at", DESCENDING), ("_id", ASCENDING)]),
        ]
    )


_FIELDS = (
    "delivery_id",
    "event_id",
    "event_type",
    "fingerprint",
    "episode",
    "receiver",
    "partner_id",
    "partnership_id",
    "body",
    "created_at",
    "attempts",
    "next_attempt_at",
    "last_attempt_at",
    "last_error",
    "last_status_code",
    "delivered_at",
)


def delivery_doc(d: Delivery) -> Doc:
    doc: Doc = {"_id": d.key, **{name: getattr(d, name) for name in _FIELDS}}
    doc["transition"] = d.transition.value
    doc["status"] = d.status.value
    return doc


def delivery_from(doc: Doc) -> Delivery:
    values: dict[str, Any] = {name: doc.get(name) for name in _FIELDS}
    return Delivery(
        key=doc["_id"],
        transition=Transition(doc["transition"]),
        status=DeliveryStatus(doc["status"]),
        **values,
    )


class MongoDeliveryQueue(DeliveryQueue):
    """In a unit of work (`session`) for enqueuing; without one for the worker."""

    def __init__(
        self,
        db: Db,
        session: AsyncClientSession | None = None,
        *,
        lease: timedelta = timedelta(seconds=60),
        owner: str | None = None,
    ) -> None:
        self._coll = db[DELIVERIES]
        self._session = session
        self._lease = lease
        self.owner = owner or uuid.uuid4().hex

    async def add_many(self, deliveries: Iterable[Delivery]) -> int:
        docs = [delivery_doc(d) for d in deliveries]
        if not docs:
            return 0
        existing = {
            doc["_id"]
            for doc in await self._coll.find(
                {"_id": {"$in": [d["_id"] for d in docs]}}, {"_id": 1}, session=self._session
            ).to_list()
        }
        fresh = [InsertOne(d) for d in docs if d["_id"] not in existing]
        if not fresh:
            return 0
        try:
            await self._coll.bulk_write(fresh, ordered=False, session=self._session)
        except BulkWriteError as exc:  # a concurrent enqueue of the same key: keep theirs
            if any(e.get("code") != _DUPLICATE_KEY for e in exc.details.get("writeErrors", [])):
                raise
            return int(exc.details.get("nInserted", 0))
        return len(fresh)

    async def get(self, delivery_id: str) -> Delivery | None:
        doc = await self._coll.find_one({"delivery_id": delivery_id}, session=self._session)
        return delivery_from(doc) if doc is not None else None

    async def claim_due(
        self, now: datetime, limit: int, busy: Collection[str] = ()
    ) -> list[Delivery]:
        claimed: list[Delivery] = []
        skip = set(busy)
        for _ in range(limit):
            wall = datetime.now(UTC)
            doc = await self._coll.find_one_and_update(
                {
                    "status": {"$in": list(_DUE)},
                    "next_attempt_at": {"$lte": now},
                    "$or": [{"lease_until": None}, {"lease_until": {"$lt": wall}}],
                    "receiver": {"$nin": sorted(skip)},
                },
                {"$set": {"lease_until": wall + self._lease, "lease_owner": self.owner}},
                sort=[("next_attempt_at", ASCENDING)],
                return_document=ReturnDocument.AFTER,
                session=self._session,
            )
            if doc is None:
                break
            claimed.append(delivery_from(doc))
            skip.add(doc["receiver"])  # one at a time per receiver
        return claimed

    async def finish(self, delivery: Delivery) -> bool:
        doc = delivery_doc(delivery) | {"lease_until": None, "lease_owner": None}
        result = await self._coll.replace_one(
            {"_id": delivery.key, "lease_owner": self.owner}, doc, session=self._session
        )
        return result.matched_count == 1

    async def save(self, delivery: Delivery) -> None:
        doc = delivery_doc(delivery) | {"lease_until": None, "lease_owner": None}
        await self._coll.replace_one({"_id": delivery.key}, doc, session=self._session)

    async def release(self) -> None:
        await self._coll.update_many(
            {"lease_owner": self.owner},
            {"$set": {"lease_until": None, "lease_owner": None}},
            session=self._session,
        )


class DeliveryViews:
    def __init__(self, db: Db) -> None:
        self._coll = db[DELIVERIES]

    async def page(self, where: Doc, offset: int, limit: int) -> tuple[int, list[Doc]]:
        """Newest first. `where`: pact_common.mongo.matching of the delivery's fields
        (status, receiver, fingerprint, event_id)."""
        total = await self._coll.count_documents(where)
        cursor = (
            self._coll.find(where, {"body": 0})
            .sort([("created_at", DESCENDING), ("_id", ASCENDING)])
            .skip(offset)
            .limit(limit)
        )
        return total, await cursor.to_list()

    async def one(self, delivery_id: str) -> Doc | None:
        return await self._coll.find_one({"delivery_id": delivery_id}, {"body": 0})

    async def of_alert(self, fingerprint: str, receiver: str | None = None) -> list[Doc]:
        query: Doc = {"fingerprint": fingerprint}
        if receiver is not None:
            query["receiver"] = receiver
        cursor = self._coll.find(query, {"body": 0}).sort(
            [("episode", ASCENDING), ("transition", ASCENDING), ("receiver", ASCENDING)]
        )
        return await cursor.to_list()
