"""Monitoring's recipients: the people of the registry's PersonUpdated events (the highest
version of each wins), who are mailed alerts by their preferences."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

import pact_contracts as c
from monitoring.notify.domain.email import Mode, Recipient

Doc = dict[str, Any]
RECIPIENTS = "recipients"


async def ensure_indexes(db: AsyncDatabase[Doc]) -> None:
    await db[RECIPIENTS].create_indexes([IndexModel([("partner_id", ASCENDING)])])


def recipient_of(doc: Doc) -> Recipient:
    return Recipient(
        user_id=doc["_id"],
        email=doc["email"],
        name=doc["name"],
        partner_id=doc.get("partner_id"),
        active=doc.get("status") == "active",
        modes={k: Mode(v) for k, v in doc.get("notifications", {}).items()},
    )


class MongoRecipients:
    def __init__(self, db: AsyncDatabase[Doc], session: AsyncClientSession | None = None) -> None:
        self._coll = db[RECIPIENTS]
        self._session = session

    async def record(self, event: c.PersonUpdated) -> bool:
        """Keep this snapshot unless a newer one is kept; whether it was kept."""
        known = await self._coll.find_one(
            {"_id": event.user_id}, {"version": 1}, session=self._session
        )
        if known is not None and known["version"] >= event.version:
            return False
        doc = {
            "email": event.email,
            "name": event.name,
            "partner_id": event.partner_id,
            "role": event.role,
            "status": event.status,
            "notifications": event.notifications.model_dump(),
            "version": event.version,
        }
        await self._coll.update_one(
            {"_id": event.user_id}, {"$set": doc}, upsert=True, session=self._session
        )
        return True

    async def concerned(self, partner_ids: set[str | None]) -> list[Recipient]:
        """The active people of these organisations and of the secretariat (None)."""
        where = {"partner_id": {"$in": [*partner_ids, None]}, "status": "active"}
        docs = await self._coll.find(where, session=self._session).to_list()
        return [recipient_of(d) for d in docs]
