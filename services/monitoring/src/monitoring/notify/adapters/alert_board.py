"""The alert board on MongoDB: `alert_records` (one per fingerprint, fed by
monitoring.alerts.v1), `webhook_receivers` (partners' webhooks, fed by the registry's partner
events), its unit of work and its queries."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from types import TracebackType
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from monitoring.notify.adapters import delivery_queue as delivery_outbox
from monitoring.notify.adapters.delivery_queue import MongoDeliveryOutbox
from monitoring.notify.domain.board import Acknowledgement, AlertRecord
from monitoring.notify.domain.delivery import Transition, WebhookContact
from monitoring.notify.service_layer.ports import (
    AlertRecordStore,
    AlertUnitOfWork,
    ReceiverDirectory,
)
from pact_common.unit_of_work import MongoUnitOfWork as Transaction

RECORDS, RECEIVERS = "alert_records", "webhook_receivers"
Doc = dict[str, Any]
Db = AsyncDatabase[Doc]


async def ensure_indexes(db: Db) -> None:
    await db[RECORDS].create_indexes(
        [
            IndexModel([("status", ASCENDING), ("fired_at", DESCENDING)]),
            IndexModel([("partner_id", ASCENDING), ("fired_at", DESCENDING)]),
            IndexModel([("partnership_id", ASCENDING), ("fired_at", DESCENDING)]),
            IndexModel([("fired_at", DESCENDING), ("_id", ASCENDING)]),
        ]
    )
    await delivery_outbox.ensure_indexes(db)


def record_doc(r: AlertRecord) -> Doc:
    doc = asdict(r)
    doc["_id"] = doc.pop("fingerprint")
    doc["transition"] = r.transition.value
    doc["due_date"] = r.due_date.isoformat() if r.due_date else None
    doc["acknowledged"] = r.acknowledgement is not None
    return doc


def record_from(doc: Doc) -> AlertRecord:
    values = {k: v for k, v in doc.items() if k not in ("_id", "acknowledged")}
    ack = values.pop("acknowledgement", None)
    return AlertRecord(
        **values
        | {
            "fingerprint": doc["_id"],
            "transition": Transition(doc["transition"]),
            "due_date": date.fromisoformat(doc["due_date"]) if doc.get("due_date") else None,
            "acknowledgement": Acknowledgement(**ack) if ack else None,
        }
    )


class MongoAlertRecordStore(AlertRecordStore):
    def __init__(self, db: Db, session: AsyncClientSession | None) -> None:
        self._coll = db[RECORDS]
        self._session = session

    async def get(self, fingerprint: str) -> AlertRecord | None:
        doc = await self._coll.find_one({"_id": fingerprint}, session=self._session)
        return record_from(doc) if doc is not None else None

    async def save(self, record: AlertRecord) -> None:
        doc = record_doc(record)
        await self._coll.replace_one({"_id": doc["_id"]}, doc, upsert=True, session=self._session)


class MongoReceiverDirectory(ReceiverDirectory):
    def __init__(self, db: Db, session: AsyncClientSession | None = None) -> None:
        self._coll = db[RECEIVERS]
        self._session = session

    async def get(self, partner_id: str) -> WebhookContact | None:
        doc = await self._coll.find_one({"_id": partner_id}, session=self._session)
        if doc is None:
            return None
        return WebhookContact(doc["_id"], doc["version"], doc.get("webhook_url"), doc["status"])

    async def put(self, contact: WebhookContact) -> None:
        doc = asdict(contact)
        doc["_id"] = doc.pop("partner_id")
        await self._coll.replace_one({"_id": doc["_id"]}, doc, upsert=True, session=self._session)


class MongoAlertUnitOfWork(AlertUnitOfWork):
    """Works inside a transaction someone else opened and commits (the common consumer, which
    stores the event id with the effect) or, `joined=False`, opens and commits its own."""

    def __init__(self, transaction: Transaction, *, joined: bool = True) -> None:
        self._tx = transaction
        self._joined = joined

    async def __aenter__(self) -> MongoAlertUnitOfWork:
        if not self._joined:
            await self._tx.__aenter__()
        db, session = self._tx.db, self._tx.session
        self.records = MongoAlertRecordStore(db, session)
        self.deliveries = MongoDeliveryOutbox(db, session)
        self.receivers = MongoReceiverDirectory(db, session)
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self._joined:
            await self._tx.__aexit__(t, e, tb)

    async def commit(self) -> None:
        if not self._joined:
            await self._tx.commit()


@dataclass(frozen=True)
class AlertFilter:
    status: str | None = None
    partner_id: str | None = None
    partnership_id: str | None = None
    rule: str | None = None
    severity: str | None = None
    subject_id: str | None = None
    acknowledged: bool | None = None


class AlertBoardViews:
    def __init__(self, db: Db) -> None:
        self._coll = db[RECORDS]

    async def page(self, f: AlertFilter, offset: int, limit: int) -> tuple[int, list[Doc]]:
        """Latest fired first."""
        query: Doc = {
            name: value
            for name in (
                "status",
                "partner_id",
                "partnership_id",
                "rule",
                "severity",
                "subject_id",
                "acknowledged",
            )
            if (value := getattr(f, name)) is not None
        }
        total = await self._coll.count_documents(query)
        cursor = (
            self._coll.find(query)
            .sort([("fired_at", DESCENDING), ("_id", ASCENDING)])
            .skip(offset)
            .limit(limit)
        )
        return total, await cursor.to_list()

    async def get(self, fingerprint: str) -> Doc | None:
        return await self._coll.find_one({"_id": fingerprint})
