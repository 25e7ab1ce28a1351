"""The mail queue on the real mongod (issue 16): a critical alert still firing is mailed again
once per repeat interval to those who want critical alerts at once; each person's due items
become one message per group, an item in one message at most; a held item of a muted alert
waits, and once nothing mutes it is mailed if its alert still fires."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from monitoring.notify.adapters.mail_inbound import enqueue_repeats
from monitoring.notify.adapters.mail_queue import MongoMailQueue, add_items
from monitoring.notify.domain.email import AlertNote, Recipient, RetryPolicy, Timing, items_for
from monitoring.notify.domain.mail_text import compose
from monitoring.notify.entrypoints.mail_worker import MailWorker

pytestmark = pytest.mark.integration

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
TIMING = Timing(group_wait=timedelta(seconds=30), repeat_interval=WEEK)


def person(user_id: str, partner_id: str | None, critical: str = "immediately") -> dict[str, Any]:
    return {
        "_id": user_id, "email": f"{user_id}@x.example", "name": user_id,
        "partner_id": partner_id, "role": "viewer", "status": "active", "version": 1,
        "notifications": {"critical": critical, "warning": "immediately", "info": "daily"},
    }  # fmt: skip


def note(i: int, transition: str = "fired") -> AlertNote:
    return AlertNote(
        f"TargetMissed:commitment:c-{i}", 1, transition, "TargetMissed", "critical",
        "commitment", f"c-{i}", "p-1", "digital", f"target {i} missed",
    )  # fmt: skip


FIRING = {
    "_id": "TargetMissed:commitment:c-1", "rule": "TargetMissed", "severity": "critical",
    "status": "firing", "episode": 1, "fired_at": T0, "subject_type": "commitment",
    "subject_id": "c-1", "partner_id": "p-1", "partnership_id": "digital",
    "message": "target 1 missed",
}  # fmt: skip


class FakeMailer:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, doc: dict[str, Any]) -> str | None:
        self.sent.append(doc)
        return None


def worker(client: Any, db: Any, now: list[datetime], mailer: FakeMailer) -> MailWorker:
    return MailWorker(
        db=db,
        queue=MongoMailQueue(client, db),
        mailer=mailer,  # type: ignore[arg-type]
        clock=lambda: now[0],
        timing=TIMING,
        retry=RetryPolicy(),
        portal_url="https://portal.example",
        poll_seconds=1,
        lease=timedelta(seconds=5),
    )


async def test_repeats_grouping_and_mutes(
    mongo_client: AsyncMongoClient[dict[str, Any]], db_name: str
) -> None:
    db = mongo_client[db_name]
    await db["recipients"].insert_many(
        [person("ana", "p-1"), person("bo", "p-1", critical="daily"), person("sec", None)]
    )
    await db["alerts"].insert_one(FIRING)
    assert await enqueue_repeats(db, T0 + timedelta(days=6), TIMING) == 0
    assert await enqueue_repeats(db, T0 + timedelta(days=8), TIMING) == 1
    assert await enqueue_repeats(db, T0 + timedelta(days=9), TIMING) == 0  # once per interval
    assert await enqueue_repeats(db, T0 + timedelta(days=15), TIMING) == 1
    repeats = sorted([d["_id"] async for d in db["mail_items"].find()])
    print("\nrepeat items:", repeats)
    assert repeats == [
        f"{note(1).fingerprint}|1|repeat-1|ana", f"{note(1).fingerprint}|1|repeat-1|sec",
        f"{note(1).fingerprint}|1|repeat-2|ana", f"{note(1).fingerprint}|1|repeat-2|sec",
    ]  # fmt: skip
    await db["mail_items"].delete_many({})

    people = [Recipient("ana", "ana@x.example", "ana", "p-1")]
    items = [i for n in (note(1), note(2), note(3)) for i in items_for(n, people, T0, TIMING)]
    await add_items(db, items, None)
    await add_items(db, items, None)  # the same transitions again: kept once
    now, mailer = [T0 + timedelta(seconds=31)], FakeMailer()
    muted_now = {note(2).fingerprint}

    async def muted(notes: Sequence[AlertNote], at: datetime) -> list[str | None]:
        return ["silenced by s-1" if n.fingerprint in muted_now else None for n in notes]

    w = worker(mongo_client, db, now, mailer)
    w.muted = muted
    outcomes = await w.run_once()
    print("first step:", dict(outcomes), [m["subject"] for m in mailer.sent])
    assert outcomes["held"] == 1 and outcomes["sent"] == 1
    assert "2 alerts" in mailer.sent[0]["subject"] and "c-2" not in mailer.sent[0]["text"]
    assert await w.run_once() == {}  # nothing new: nothing sent again
    muted_now.clear()  # the silence ends; alert c-2 is not on the board: not worth mailing
    outcomes = await w.run_once()
    print("after the silence:", dict(outcomes))
    assert outcomes["unsent"] == 1 and len(mailer.sent) == 1
    assert compose([note(1)], "partner:p-1", "ana", "https://p.example").subject.startswith(
        "[Pact for Skills] FIRING TargetMissed"
    )


async def test_an_item_not_yet_due_is_looked_at_before_it_joins_its_group(
    mongo_client: AsyncMongoClient[dict[str, Any]], db_name: str
) -> None:
    """A group's message lists every pending item of the group, due or not (a burst that came
    in over several transactions goes out as one). One that came after the first, of a muted
    alert, is held like the first: never mailed because its group went out (the race behind
    an at-risk alert mailed though reporting overdue inhibited it)."""
    db = mongo_client[db_name]
    people = [Recipient("ana", "ana@x.example", "ana", "p-1")]
    first = items_for(note(1), people, T0, TIMING)
    later = items_for(note(2), people, T0 + timedelta(seconds=20), TIMING)
    await add_items(db, first + later, None)
    now, mailer = [T0 + timedelta(seconds=31)], FakeMailer()  # note 1 due, note 2 in 19 s

    async def muted(notes: Sequence[AlertNote], at: datetime) -> list[str | None]:
        return ["inhibited by x" if n.fingerprint == note(2).fingerprint else None for n in notes]

    w = worker(mongo_client, db, now, mailer)
    w.muted = muted
    outcomes = await w.run_once()
    states = {d["note"]["subject_id"]: d["state"] async for d in db["mail_items"].find()}
    print("\nstep:", dict(outcomes), "states:", states, [m["text"] for m in mailer.sent])
    assert states == {"c-1": "batched", "c-2": "held"}
    assert len(mailer.sent) == 1 and "c-2" not in mailer.sent[0]["text"]
