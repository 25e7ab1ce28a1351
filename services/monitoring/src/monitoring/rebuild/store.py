"""What the rebuild (`python -m monitoring.rebuild`) does to databases besides replaying:
checks the new one is fresh, keeps the rules' alert episodes in step with what was announced,
carries over what no topic holds (acknowledgements, webhook deliveries), records the rebuild."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pymongo import ReplaceOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

import pact_contracts as c
from monitoring.core.adapters.alert_documents import alert_doc
from monitoring.core.adapters.repository import ALERTS, COMMITMENTS
from monitoring.core.domain.alerting import Alert, AlertStatus
from monitoring.core.domain.conditions import Rule, Severity, Subject, SubjectType
from monitoring.core.domain.model import Metric
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


def _position(event: c.AlertFired | c.AlertResolved) -> tuple[int, int]:
    return event.episode, 0 if isinstance(event, c.AlertFired) else 1


def latest_announced(
    events: Iterable[c.AlertFired | c.AlertResolved],
) -> dict[str, c.AlertFired | c.AlertResolved]:
    """Fingerprint -> the latest transition monitoring.alerts.v1 announced."""
    out: dict[str, c.AlertFired | c.AlertResolved] = {}
    for e in events:
        known = out.get(e.fingerprint)
        if known is None or _position(e) > _position(known):
            out[e.fingerprint] = e
    return out


def _announced_alert(e: c.AlertFired | c.AlertResolved) -> Alert:
    rule = Rule(e.rule.value)
    fired = isinstance(e, c.AlertFired)
    status = AlertStatus.RESOLVED if not fired else AlertStatus.FIRING
    if fired and rule.informational:
        status = AlertStatus.NOTIFIED
    subject = Subject(
        SubjectType(e.subject_type.value),
        e.subject_id,
        e.partnership_id,
        Metric(e.metric),
        e.partner_id,
    )
    return Alert(
        fingerprint=e.fingerprint,
        rule=rule,
        subject=subject,
        status=status,
        episode=e.episode,
        severity=Severity(e.severity.value),
        expected=e.expected,
        actual=e.actual,
        due_date=e.due_date,
        message=e.message,
        fired_at=e.occurred_at,
        resolved_at=None if fired else e.occurred_at,
    )


async def align_alert_history(db: Db, announced: dict[str, c.AlertFired | c.AlertResolved]) -> int:
    """Where the topic announced a later episode than the replayed rules reached (or one they
    never reached), take the announced state: episodes only go up, so no later transition can
    reuse an episode's delivery key, and the next evaluation resolves what no longer holds."""
    rules = {d["_id"]: d["episode"] for d in await db[ALERTS].find({}, {"episode": 1}).to_list()}
    ops = [
        ReplaceOne({"_id": fp}, alert_doc(_announced_alert(e)), upsert=True)
        for fp, e in announced.items()
        if rules.get(fp, 0) < e.episode
    ]
    if ops:
        await db[ALERTS].bulk_write(ops, ordered=False)
        # the heads' firing alerts were the replayed rules': read again at their next batch
        await db[COMMITMENTS].update_many({"firing": {"$exists": True}}, {"$unset": {"firing": ""}})
    return len(ops)


async def carry_over(source: Db, target: Db) -> dict[str, int]:
    """Acknowledgements (of the same episode) and every webhook delivery, from the database
    being replaced: no topic holds them."""
    acks = 0
    async for doc in source[ALERTS].find({"acknowledgement": {"$ne": None}}):
        ack = doc["acknowledgement"]
        result = await target[ALERTS].update_one(
            {"_id": doc["_id"], "episode": ack["episode"]},
            {"$set": {"acknowledgement": ack, "acknowledged": True}},
        )
        acks += result.modified_count
    deliveries = [_unleased(d) async for d in source[DELIVERIES].find()]
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


def _unleased(delivery: dict[str, Any]) -> dict[str, Any]:
    """No lease of the old database's workers carried over (one never leased has none)."""
    return delivery | {k: None for k in ("lease_until", "lease_owner") if k in delivery}
