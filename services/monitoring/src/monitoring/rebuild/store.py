"""What the rebuild (`python -m monitoring.rebuild`) does to databases besides replaying:
checks the new one is fresh, keeps the rules' alert episodes in step with what was announced,
carries over what no topic holds (acknowledgements, webhook deliveries), records the rebuild."""

from __future__ import annotations

from datetime import date
from typing import Any

from pymongo import ReplaceOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from monitoring.core.adapters.documents import alert_doc
from monitoring.core.adapters.repository import ALERTS
from monitoring.core.domain.alerting import Alert, AlertStatus
from monitoring.core.domain.model import Metric
from monitoring.core.domain.rules import Rule, Severity, Subject, SubjectType
from monitoring.notify.adapters.board_store import RECORDS
from monitoring.notify.adapters.delivery_queue import DELIVERIES

Doc = dict[str, Any]
Db = AsyncDatabase[Doc]
REBUILDS = "rebuilds"


class RebuildError(Exception):
    pass


async def ensure_fresh(db: Db) -> None:
    names = await db.list_collection_names()
    if names:
        raise RebuildError(
            f"database {db.name} is not empty ({', '.join(sorted(names)[:5])}...); "
            "rebuild into a new database"
        )


def _rules_alert(record: Doc) -> Doc:
    """The rules' alert state of a fingerprint, as the board shows it was announced."""
    subject = Subject(
        SubjectType(record["subject_type"]),
        record["subject_id"],
        record["partnership_id"],
        Metric(record["metric"]),
        record.get("partner_id"),
    )
    due = record.get("due_date")
    return alert_doc(
        Alert(
            fingerprint=record["_id"],
            rule=Rule(record["rule"]),
            subject=subject,
            status=AlertStatus(record["status"]),
            episode=record["episode"],
            severity=Severity(record["severity"]),
            expected=record["expected"],
            actual=record["actual"],
            due_date=date.fromisoformat(due) if due else None,
            message=record["message"],
            fired_at=record["fired_at"],
            resolved_at=record.get("resolved_at"),
        )
    )


async def align_alert_history(db: Db) -> int:
    """Where the topic announced a later episode than the replayed rules reached (or one they
    never reached), take the announced state: episodes only go up, so no later transition can
    reuse an episode's delivery key, and the next evaluation resolves what no longer holds."""
    rules = {d["_id"]: d["episode"] for d in await db[ALERTS].find({}, {"episode": 1}).to_list()}
    ops = [
        ReplaceOne({"_id": record["_id"]}, _rules_alert(record), upsert=True)
        async for record in db[RECORDS].find()
        if rules.get(record["_id"], 0) < record["episode"]
    ]
    if ops:
        await db[ALERTS].bulk_write(ops, ordered=False)
    return len(ops)


async def carry_over(source: Db, target: Db) -> dict[str, int]:
    """Acknowledgements (of the same episode) and every webhook delivery, from the database
    being replaced: no topic holds them."""
    acks = 0
    async for doc in source[RECORDS].find({"acknowledgement": {"$ne": None}}):
        ack = doc["acknowledgement"]
        result = await target[RECORDS].update_one(
            {"_id": doc["_id"], "episode": ack["episode"]},
            {"$set": {"acknowledgement": ack, "acknowledged": True}},
        )
        acks += result.modified_count
    deliveries = [
        d | {"lease_until": None, "lease_owner": None} async for d in source[DELIVERIES].find()
    ]
    copied = 0
    if deliveries:
        try:
            inserted = await target[DELIVERIES].insert_many(deliveries, ordered=False)
            copied = len(inserted.inserted_ids)
        except BulkWriteError as exc:
            copied = int(exc.details.get("nInserted", 0))
    return {"acknowledgements": acks, "deliveries": copied}


async def record(db: Db, summary: Doc) -> None:
    await db[REBUILDS].insert_one(summary)
