"""The alert board on MongoDB: monitoring's `alerts` (the one alert model, written by the
rules in core) as people see and acknowledge them, and partners' webhooks from the `partners`
read model. Its unit of work and its queries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from monitoring.core.adapters.alert_documents import alert_doc, alert_from
from monitoring.core.adapters.repository import ALERTS, PARTNERS
from monitoring.core.domain.alerting import Alert
from monitoring.notify.domain.delivery import WebhookContact
from monitoring.notify.service_layer.ports import AlertStore, AlertUnitOfWork, ReceiverDirectory
from pact_common.unit_of_work import OnTransaction

Doc = dict[str, Any]
Db = AsyncDatabase[Doc]


class MongoAlertStore(AlertStore):
    def __init__(self, db: Db, session: AsyncClientSession | None) -> None:
        self._coll = db[ALERTS]
        self._session = session

    async def get(self, fingerprint: str) -> Alert | None:
        doc = await self._coll.find_one({"_id": fingerprint}, session=self._session)
        return alert_from(doc) if doc is not None else None

    async def save(self, alert: Alert) -> None:
        doc = alert_doc(alert)
        await self._coll.replace_one({"_id": doc["_id"]}, doc, upsert=True, session=self._session)


class MongoReceiverDirectory(ReceiverDirectory):
    """Partners' webhooks, read from the partner read model at each attempt (and, in the
    transaction that enqueues deliveries, with its `session`)."""

    def __init__(self, db: Db, session: AsyncClientSession | None = None) -> None:
        self._coll = db[PARTNERS]
        self._session = session

    async def get(self, partner_id: str) -> WebhookContact | None:
        return (await self.get_many([partner_id])).get(partner_id)

    async def get_many(self, partner_ids: Iterable[str]) -> dict[str, WebhookContact]:
        query = {"_id": {"$in": sorted(set(partner_ids))}}
        docs = await self._coll.find(query, session=self._session).to_list()
        return {
            doc["_id"]: WebhookContact(
                doc["_id"],
                doc["version"],
                doc.get("webhook_url"),
                doc["status"],
                doc.get("webhook_secret_version", 0),
                doc.get("webhook_previous_secret_until"),
            )
            for doc in docs
        }


class MongoAlertUnitOfWork(OnTransaction, AlertUnitOfWork):
    """Acknowledging an alert, in a transaction of its own."""

    def _bind(self, db: Db, session: AsyncClientSession) -> None:
        self.alerts = MongoAlertStore(db, session)
