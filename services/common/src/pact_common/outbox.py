"""Transactional outbox: state and outgoing events are written in one Mongo transaction;
a relay publishes pending events in order and marks them sent.

A crash between the write and the publish loses nothing (the event waits in the outbox);
a crash between the publish and the mark publishes it again with the same event_id, which
idempotent consumers ignore.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from pact_contracts import Event, key_for, topic_for

from .background import BackgroundTask
from .metrics import OUTBOX_BACKLOG, OUTBOX_PUBLISHED

OUTBOX = "outbox"
_COUNTERS = "counters"
_LEASES = "leases"


class RawPublisher(Protocol):
    async def publish_raw(self, topic: str, key: bytes, value: bytes) -> None: ...


class Outbox:
    """The write side: used inside a unit of work's transaction."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._db = db

    async def ensure_indexes(self) -> None:
        await self._db[OUTBOX].create_index([("published_at", ASCENDING), ("seq", ASCENDING)])
        await self._db[OUTBOX].create_index("published_at_expiry", expireAfterSeconds=7 * 24 * 3600)

    async def add(self, session: AsyncClientSession, events: Sequence[Event]) -> None:
        if not events:
            return
        counter = await self._db[_COUNTERS].find_one_and_update(
            {"_id": OUTBOX},
            {"$inc": {"value": len(events)}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        assert counter is not None  # upsert with ReturnDocument.AFTER always returns it
        first = counter["value"] - len(events) + 1
        now = datetime.now(UTC)
        await self._db[OUTBOX].insert_many(
            [
                {
                    "_id": str(event.event_id),
                    "seq": first + i,
                    "topic": topic_for(event).name,
                    "key": key_for(event).decode(),
                    "event_type": getattr(event, "event_type", ""),
                    "payload": event.model_dump_json(),
                    "created_at": now,
                    "published_at": None,
                }
                for i, event in enumerate(events)
            ],
            session=session,
        )


class OutboxRelay(BackgroundTask):
    """Publishes pending outbox events in `seq` order. One relay per service holds a lease
    in Mongo at a time, so several instances never interleave their publishing."""

    def __init__(
        self,
        db: AsyncDatabase[dict[str, Any]],
        publisher: RawPublisher,
        *,
        service: str,
        topic_namespace: str = "",
        poll_seconds: float = 0.5,
        batch_size: int = 500,
        lease_seconds: float = 10.0,
        logger: Any = None,
    ) -> None:
        super().__init__(f"{service}-outbox-relay")
        self._db = db
        self._publisher = publisher
        self._service = service
        self._namespace = topic_namespace
        self._poll = poll_seconds
        self._batch = batch_size
        self._lease = timedelta(seconds=lease_seconds)
        self._owner = uuid.uuid4().hex
        self._log = logger

    def notify(self) -> None:
        """Called after a commit that wrote to the outbox: publish without waiting a poll."""
        self.wake()

    async def _hold_lease(self) -> bool:
        now = datetime.now(UTC)
        try:
            doc = await self._db[_LEASES].find_one_and_update(
                {
                    "_id": "outbox-relay",
                    "$or": [{"owner": self._owner}, {"expires_at": {"$lt": now}}],
                },
                {"$set": {"owner": self._owner, "expires_at": now + self._lease}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:  # another live relay holds it
            return False
        return doc is not None and doc["owner"] == self._owner

    async def publish_pending(self) -> int:
        """Publish one batch of pending events; returns how many were published."""
        if not await self._hold_lease():
            return 0
        pending = await (
            self._db[OUTBOX]
            .find({"published_at": None})
            .sort("seq", ASCENDING)
            .limit(self._batch)
            .to_list()
        )
        enqueue = getattr(self._publisher, "enqueue_raw", None)
        if enqueue is None:  # a publisher that can only send one at a time
            for doc in pending:
                await self._publisher.publish_raw(
                    f"{self._namespace}{doc['topic']}", doc["key"].encode(), doc["payload"].encode()
                )
        else:  # all enqueued in seq order, then every acknowledgement awaited
            acks = [
                await enqueue(
                    f"{self._namespace}{doc['topic']}", doc["key"].encode(), doc["payload"].encode()
                )
                for doc in pending
            ]
            await asyncio.gather(*acks)
        if pending:
            now = datetime.now(UTC)
            await self._db[OUTBOX].update_many(
                {"_id": {"$in": [d["_id"] for d in pending]}},
                {"$set": {"published_at": now, "published_at_expiry": now}},
            )
            OUTBOX_PUBLISHED.labels(self._service).inc(len(pending))
        return len(pending)

    async def backlog(self) -> int:
        count = await self._db[OUTBOX].count_documents({"published_at": None})
        OUTBOX_BACKLOG.labels(self._service).set(count)
        return count

    async def run(self) -> None:
        while True:
            try:
                published = await self.publish_pending()
                if published == self._batch:
                    continue  # more waiting
                await self.backlog()
            except Exception as exc:  # noqa: BLE001 - the relay must outlive broker and db outages
                if self._log is not None:
                    self._log.warning("outbox relay failed; retrying", error=str(exc))
                await asyncio.sleep(self._poll)
                continue
            await self.nap(self._poll)

    async def _stopped(self) -> None:
        with contextlib.suppress(PyMongoError):
            await self._db[_LEASES].delete_one({"_id": "outbox-relay", "owner": self._owner})
