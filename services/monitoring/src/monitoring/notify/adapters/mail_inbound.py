"""What email takes in: people (PersonUpdated) into the recipients; alert transitions decided
by core into mail items, inside the transaction that decided them (like webhook deliveries);
and the repeats of critical alerts still firing, found on the clock."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

import pact_contracts as c
from monitoring.core.adapters.repository import ALERTS
from monitoring.notify.adapters.mail_queue import add_items
from monitoring.notify.adapters.recipients import MongoRecipients
from monitoring.notify.domain.email import AlertNote, Mode, Timing, items_for, repeat_number
from pact_common.unit_of_work import Transaction

Doc = dict[str, Any]
REPEATS = "mail_repeats"


async def record_person(tx: Transaction, event: c.PersonUpdated) -> None:
    await MongoRecipients(tx.db, tx.session).record(event)


def note_of(event: c.AlertFired | c.AlertResolved) -> AlertNote:
    return AlertNote(
        fingerprint=event.fingerprint,
        episode=event.episode,
        transition="fired" if isinstance(event, c.AlertFired) else "resolved",
        rule=event.rule.value,
        severity=event.severity.value,
        subject_type=event.subject_type.value,
        subject_id=event.subject_id,
        partner_id=event.partner_id,
        partnership_id=event.partnership_id,
        message=event.message,
    )


class MailOnDecision:
    """Enqueues the mail items of the alert events a transaction is about to commit."""

    def __init__(self, clock: Callable[[], datetime], timing: Timing) -> None:
        self._clock = clock
        self._timing = timing

    async def __call__(self, tx: Transaction, events: Sequence[c.Event]) -> None:
        notes = [note_of(e) for e in events if isinstance(e, c.AlertFired | c.AlertResolved)]
        if notes:
            people = await MongoRecipients(tx.db, tx.session).concerned(
                {n.partner_id for n in notes}
            )
            now = self._clock()
            items = [i for n in notes for i in items_for(n, people, now, self._timing)]
            await add_items(tx.db, items, tx.session)


async def enqueue_repeats(db: AsyncDatabase[Doc], now: datetime, timing: Timing) -> int:
    """Critical alerts still firing a repeat interval (or more) after they fired: mailed
    again to those who want critical ones at once, once per interval. Returns how many
    alerts were repeated."""
    interval = timing.repeat_interval
    if interval is None:
        return 0
    where = {"status": "firing", "severity": "critical", "fired_at": {"$lte": now - interval}}
    repeated = 0
    alerts = await db[ALERTS].find(where).to_list()
    ids = [a["_id"] for a in alerts]
    marks = {m["_id"]: m async for m in db[REPEATS].find({"_id": {"$in": ids}})}
    for doc in alerts:
        n = repeat_number(doc["fired_at"], now, interval)
        mark = {"_id": doc["_id"], "episode": doc["episode"], "n": n}
        if n < 1 or marks.get(doc["_id"]) == mark:
            continue
        note = AlertNote(
            fingerprint=doc["_id"],
            episode=doc["episode"],
            transition=f"repeat-{n}",
            rule=doc["rule"],
            severity=doc["severity"],
            subject_type=doc["subject_type"],
            subject_id=doc["subject_id"],
            partner_id=doc.get("partner_id"),
            partnership_id=doc["partnership_id"],
            message=doc["message"],
        )
        people = await MongoRecipients(db).concerned({note.partner_id})
        wanting = [p for p in people if p.mode("critical") is Mode.IMMEDIATELY]
        await add_items(db, items_for(note, wanting, now, timing), None)
        await db[REPEATS].replace_one({"_id": doc["_id"]}, mark, upsert=True)
        repeated += 1
    return repeated
