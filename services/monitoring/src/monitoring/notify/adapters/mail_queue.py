"""The persisted email queue on MongoDB: `mail_items` (one per alert transition and person,
unique by key: mailed once) and `mail_messages` (one per person and group: the items it
lists, its words, its attempts). Items become a message in one transaction, so an item is in
one message at most; a message is leased while it is being sent, so no two workers send it."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, IndexModel, ReturnDocument, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.asynchronous.mongo_client import AsyncMongoClient

from monitoring.core.adapters.repository import ALERTS
from monitoring.notify.domain.email import DIGEST, AlertNote, MailItem
from monitoring.notify.domain.mail_text import Letter

Doc = dict[str, Any]
ITEMS, MESSAGES = "mail_items", "mail_messages"
PENDING, BATCHED, SENT, FAILED = "pending", "batched", "sent", "failed"
#: items of a silenced or inhibited alert: held, then pending again or left unsent
HELD, UNSENT = "held", "unsent"


async def ensure_indexes(db: AsyncDatabase[Doc]) -> None:
    await db[ITEMS].create_indexes(
        [
            IndexModel([("state", ASCENDING), ("due_at", ASCENDING)]),
            IndexModel([("user_id", ASCENDING), ("group", ASCENDING), ("state", ASCENDING)]),
        ]
    )
    await db[MESSAGES].create_indexes([IndexModel([("state", ASCENDING), ("due_at", ASCENDING)])])


def item_doc(item: MailItem) -> Doc:
    r = item.recipient
    return {
        "_id": item.key,
        "user_id": r.user_id,
        "email": r.email,
        "name": r.name,
        "group": item.group,
        "mode": item.mode.value,
        "note": asdict(item.note),
        "created_at": item.created_at,
        "due_at": item.due_at,
        "state": PENDING,
        "message_id": None,
    }


async def add_items(
    db: AsyncDatabase[Doc], items: Sequence[MailItem], session: AsyncClientSession | None
) -> None:
    """Enqueue these items; a key already there (the same transition to the same person) is
    kept as it is."""
    if items:
        ops = [
            UpdateOne({"_id": d["_id"]}, {"$setOnInsert": d}, upsert=True)
            for d in map(item_doc, items)
        ]
        await db[ITEMS].bulk_write(ops, ordered=False, session=session)


def message_id(keys: Sequence[str]) -> str:
    return "mail-" + hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:24]


class MongoMailQueue:
    """The queue as the mail worker uses it; each worker leases under an owner id of its own."""

    def __init__(self, client: AsyncMongoClient[Doc], db: AsyncDatabase[Doc]) -> None:
        self._client = client
        self._items = db[ITEMS]
        self._messages = db[MESSAGES]
        self._alerts = db[ALERTS]
        self._owner = uuid.uuid4().hex

    async def due_items(self, now: datetime, state: str = PENDING, limit: int = 1000) -> list[Doc]:
        where: Doc = {"state": state} | ({"due_at": {"$lte": now}} if state == PENDING else {})
        return await self._items.find(where).limit(limit).to_list()

    async def set_state(
        self, keys: Sequence[str], state: str, reason: str | None, now: datetime
    ) -> None:
        """Hold pending items, or release held ones (pending, due now) or leave them unsent,
        with why; an item another worker moved on meanwhile is left as it is."""
        changes: Doc = {"state": state, "reason": reason}
        if state == PENDING:
            changes["due_at"] = now
        was = PENDING if state == HELD else HELD
        await self._items.update_many({"_id": {"$in": list(keys)}, "state": was}, {"$set": changes})

    async def alert_state(self, fingerprint: str) -> tuple[str, int] | None:
        """The alert's status and current episode."""
        doc = await self._alerts.find_one({"_id": fingerprint}, {"status": 1, "episode": 1})
        return (doc["status"], doc["episode"]) if doc is not None else None

    async def unsent(self, key: str) -> bool:
        doc = await self._items.find_one({"_id": key}, {"state": 1})
        return doc is not None and doc["state"] == UNSENT

    async def ready_groups(self, now: datetime, limit: int = 100) -> list[tuple[str, str]]:
        """(person, group) of the items due to go out."""
        rows = await (
            await self._items.aggregate(
                [
                    {"$match": {"state": PENDING, "due_at": {"$lte": now}}},
                    {"$group": {"_id": {"user_id": "$user_id", "group": "$group"}}},
                    {"$limit": limit},
                ]
            )
        ).to_list()
        return [(r["_id"]["user_id"], r["_id"]["group"]) for r in rows]

    async def group_items(self, user_id: str, group: str, now: datetime) -> list[Doc]:
        """The person's pending items of this group that its next message would list: all of
        them (the group's wait is over for the first), or of a digest those due."""
        where: Doc = {"user_id": user_id, "group": group, "state": PENDING}
        if group == DIGEST:
            where["due_at"] = {"$lte": now}
        return await self._items.find(where).sort("created_at").to_list()

    async def batch(
        self, looked_at: Sequence[str], user_id: str, group: str, now: datetime, word: Any
    ) -> str | None:
        """Turn these items of the person's group, those still pending, into one message
        worded by `word(notes, group, name) -> Letter`, in one transaction. Only the keys
        given: an item that came since it was looked at (muted or not) waits for the next."""

        async def make(session: AsyncClientSession) -> str | None:
            where: Doc = {"_id": {"$in": list(looked_at)}, "user_id": user_id, "state": PENDING}
            docs = await self._items.find(where, session=session).sort("created_at").to_list()
            if not docs:
                return None
            keys = [d["_id"] for d in docs]
            letter: Letter = word([AlertNote(**d["note"]) for d in docs], group, docs[0]["name"])
            mid = message_id(keys)
            await self._messages.update_one(
                {"_id": mid},
                {
                    "$setOnInsert": {
                        "user_id": user_id,
                        "to": docs[0]["email"],
                        "group": group,
                        "subject": letter.subject,
                        "text": letter.text,
                        "html": letter.html,
                        "items": keys,
                        "state": PENDING,
                        "attempts": 0,
                        "created_at": now,
                        "due_at": now,
                    }
                },
                upsert=True,
                session=session,
            )
            await self._items.update_many(
                {"_id": {"$in": keys}, "state": PENDING},
                {"$set": {"state": BATCHED, "message_id": mid}},
                session=session,
            )
            return mid

        async with self._client.start_session() as session:
            result: str | None = await session.with_transaction(make)
        return result

    async def claim(self, now: datetime, lease: timedelta) -> Doc | None:
        """A message due to be sent, leased to this worker (wall clock: a crashed worker's
        lease expires)."""
        wall = datetime.now(UTC)
        return await self._messages.find_one_and_update(
            {
                "state": PENDING,
                "due_at": {"$lte": now},
                "$or": [{"leased_until": None}, {"leased_until": {"$lte": wall}}],
            },
            {"$set": {"lease_owner": self._owner, "leased_until": wall + lease}},
            sort=[("due_at", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )

    async def finish(self, mid: str, changes: Doc) -> bool:
        """Store an attempt's outcome and end the lease; False if the lease was lost."""
        done = await self._messages.update_one(
            {"_id": mid, "lease_owner": self._owner},
            {"$set": {**changes, "lease_owner": None, "leased_until": None}},
        )
        return done.modified_count == 1

    async def release(self) -> None:
        await self._messages.update_many(
            {"lease_owner": self._owner}, {"$set": {"lease_owner": None, "leased_until": None}}
        )


async def carry_over(source: AsyncDatabase[Doc], target: AsyncDatabase[Doc]) -> dict[str, int]:
    """The mail queue of a database being replaced (a rebuild): no topic holds it, and its
    keys are what keeps a transition from being mailed twice."""
    copied: dict[str, int] = {}
    for name in (ITEMS, MESSAGES, "mail_repeats"):
        docs = [d async for d in source[name].find()]
        if name == MESSAGES:
            docs = [d | {"lease_owner": None, "leased_until": None} for d in docs]
        ops = [UpdateOne({"_id": d["_id"]}, {"$setOnInsert": d}, upsert=True) for d in docs]
        copied[name] = (await target[name].bulk_write(ops)).upserted_count if ops else 0
    return copied
