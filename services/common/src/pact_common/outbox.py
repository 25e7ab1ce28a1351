"""Transactional outbox: state and outgoing events are written in one Mongo transaction;
the committing process then publishes the committed events at once, from memory, and marks
them sent; a polling relay publishes whatever is left pending (a crash after the commit, a
failed publish) in `seq` order.

A crash between the write and the publish loses nothing (the event waits in the outbox);
a crash between the publish and the mark publishes it again with the same event_id, which
idempotent consumers ignore.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import uuid
from collections import deque
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from bson import ObjectId
from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from pact_contracts import Event, key_for, topic_for

from .background import BackgroundTask, cancelled
from .metrics import OUTBOX_BACKLOG, OUTBOX_PUBLISHED

OUTBOX = "outbox"
_LEASES = "leases"

Row = dict[str, Any]


class RawPublisher(Protocol):
    async def publish_raw(self, topic: str, key: bytes, value: bytes) -> None: ...


class _Sequence:
    """Outbox `seq` values without a shared counter document: ObjectIds (seconds, then the
    process, then a counter), each greater than the last this process handed out, even when
    ObjectId's counter wraps around (every 2**24 ids) or the clock steps back. Rows written
    before held integers, which BSON sorts before every ObjectId: they are published first."""

    def __init__(self) -> None:
        self._last = ObjectId(b"\x00" * 12)
        self._lock = threading.Lock()

    def next(self) -> ObjectId:
        with self._lock:
            seq = ObjectId()
            if seq <= self._last:
                seq = ObjectId((int.from_bytes(self._last.binary, "big") + 1).to_bytes(12, "big"))
            self._last = seq
            return seq


_SEQUENCE = _Sequence()


class Outbox:
    """The write side: used inside a unit of work's transaction."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._db = db

    async def ensure_indexes(self) -> None:
        await self._db[OUTBOX].create_index([("published_at", ASCENDING), ("seq", ASCENDING)])
        await self._db[OUTBOX].create_index("published_at_expiry", expireAfterSeconds=7 * 24 * 3600)

    async def add(self, session: AsyncClientSession, events: Sequence[Event]) -> list[Row]:
        """Writes the events' rows in the transaction and returns them (for the relay to
        publish once the transaction committed). No document is shared between
        transactions, so concurrent units of work do not conflict here."""
        if not events:
            return []
        now = datetime.now(UTC)
        rows = [
            {
                "_id": str(event.event_id),
                "seq": _SEQUENCE.next(),
                "topic": topic_for(event).name,
                "key": key_for(event).decode(),
                "event_type": getattr(event, "event_type", ""),
                "payload": event.model_dump_json(),
                "created_at": now,
                "published_at": None,
            }
            for event in events
        ]
        await self._db[OUTBOX].insert_many(rows, session=session)
        return rows


class OutboxRelay(BackgroundTask):
    """Publishes outbox events two ways.

    At once: while the relay runs, a committed transaction hands it its rows (`committed`)
    and they are published from memory, in the order they were handed over, then marked
    sent with one update; no lease is needed, each process publishes what it committed.
    When the relay knows rows are still pending from before (when it started, after a failed
    publish, a backlog), handed rows are left to the poll so that they do not overtake
    older ones; it catches up once nothing written before it fell behind is pending.

    By polling: pending rows in `seq` order, by one relay per service at a time (a lease in
    Mongo); this is crash recovery and the catching up. One lock keeps the two ways from
    publishing at the same time in one process. Across instances a row may be published
    twice (one instance's poll finds another's rows between publish and mark): delivery is
    at least once and consumers deduplicate by event_id. Order per key holds within one
    process; between instances it is the order in which they publish."""

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
        publish_at_once: bool = True,
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
        self._at_once = publish_at_once
        self._lock = asyncio.Lock()
        self._handed: deque[Row] = deque()
        self._sender: asyncio.Task[None] | None = None
        # rows written up to then may still be pending (None: none that this relay knows of)
        self._behind_since: datetime | None = datetime.now(UTC)

    @property
    def caught_up(self) -> bool:
        """Whether committed rows are published at once (nothing older known pending)."""
        return self._behind_since is None

    def committed(self, rows: Sequence[Row]) -> None:
        """Called right after a commit with the rows it wrote: publish them now. Never
        raises; if no relay runs in this process, whichever relay polls publishes them.
        Without `publish_at_once` the poll is only woken (the lease holder publishes)."""
        if not rows:
            return
        if not self._at_once or not self.running:
            self.wake()
            return
        self._handed.extend(rows)
        if self._sender is None or self._sender.done():
            self._sender = asyncio.create_task(self._send_handed(), name=f"{self._name}-now")

    def _fall_behind(self) -> None:
        self._behind_since = datetime.now(UTC)
        self._handed.clear()  # written already: the poll publishes them in seq order
        self.wake()

    async def _send_handed(self) -> None:
        async with self._lock:
            while self._handed:
                if not self.caught_up:
                    self._fall_behind()
                    return
                batch = [self._handed.popleft() for _ in range(min(self._batch, len(self._handed)))]
                try:
                    await self._publish(batch)
                except Exception as exc:  # noqa: BLE001 - committed already: the poll retries
                    self._fall_behind()
                    if self._log is not None:
                        self._log.warning("outbox publish after commit failed", error=str(exc))
                    return

    async def _publish(self, rows: Sequence[Row]) -> None:
        """Publishes the rows in order, then marks them sent."""
        if not rows:
            return
        enqueue = getattr(self._publisher, "enqueue_raw", None)
        if enqueue is None:  # a publisher that can only send one at a time
            for doc in rows:
                await self._publisher.publish_raw(
                    f"{self._namespace}{doc['topic']}", doc["key"].encode(), doc["payload"].encode()
                )
        else:  # all enqueued in seq order, then every acknowledgement awaited
            acks = [
                await enqueue(
                    f"{self._namespace}{doc['topic']}", doc["key"].encode(), doc["payload"].encode()
                )
                for doc in rows
            ]
            await asyncio.gather(*acks)
        now = datetime.now(UTC)
        await self._db[OUTBOX].update_many(
            {"_id": {"$in": [d["_id"] for d in rows]}},
            {"$set": {"published_at": now, "published_at_expiry": now}},
        )
        OUTBOX_PUBLISHED.labels(self._service).inc(len(rows))

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
        async with self._lock:
            if not await self._hold_lease():
                await self._catch_up()
                return 0
            pending = await (
                self._db[OUTBOX]
                .find({"published_at": None})
                .sort("seq", ASCENDING)
                .limit(self._batch)
                .to_list()
            )
            try:
                await self._publish(pending)
            except BaseException:
                self._behind_since = datetime.now(UTC)
                raise
            if pending:  # handed over but not sent yet: sent now, in seq order
                sent = {d["_id"] for d in pending}
                self._handed = deque(d for d in self._handed if d["_id"] not in sent)
            if len(pending) < self._batch:
                self._behind_since = None  # nothing was left pending
            elif self._behind_since is None:
                self._behind_since = datetime.now(UTC)
            return len(pending)

    async def _catch_up(self) -> None:
        """Without the lease: caught up once the lease holder published every row written
        before this relay fell behind."""
        if self._behind_since is None:
            return
        older = {"published_at": None, "created_at": {"$lte": self._behind_since}}
        if await self._db[OUTBOX].find_one(older, {"_id": 1}) is None:
            self._behind_since = None

    async def backlog(self) -> int:
        count = await self._db[OUTBOX].count_documents({"published_at": None})
        OUTBOX_BACKLOG.labels(self._service).set(count)
        return count

    async def run(self) -> None:
        while not self.stopping:
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
        sender, self._sender = self._sender, None
        if sender is not None and not sender.done():  # let the batch in hand go out
            await asyncio.wait({sender}, timeout=5.0)
            await cancelled([sender])
        self._handed.clear()
        self._behind_since = datetime.now(UTC)
        with contextlib.suppress(PyMongoError):
            await self._db[_LEASES].delete_one({"_id": "outbox-relay", "owner": self._owner})
