"""The background mail worker: on the service's clock, it mails critical alerts still firing
again (a repeat interval), turns each person's due items into one message per group, and
sends the messages due, one at a time, each leased while it is sent; a failed send waits and
is tried again (RetryPolicy), then is given up. Everything it needs is in the mail queue, so a
restarted worker goes on where the last one stopped without sending anything twice."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from monitoring.notify.adapters.mail_inbound import enqueue_repeats
from monitoring.notify.adapters.mail_queue import (
    FAILED,
    HELD,
    PENDING,
    SENT,
    UNSENT,
    MongoMailQueue,
)
from monitoring.notify.adapters.smtp import SmtpMailer
from monitoring.notify.domain.email import (
    AlertNote,
    RetryPolicy,
    Timing,
    worth_mailing_after_mute,
)
from monitoring.notify.domain.mail_text import Letter, compose
from pact_common.background import BackgroundTask

#: bounds one step, should messages keep coming due
MAX_SENDS = 500
#: silences and inhibition: for each alert, why it is muted now (None: it is not)
Muted = Callable[[Sequence[AlertNote], datetime], Awaitable[list[str | None]]]


def note_of(doc: dict[str, Any]) -> AlertNote:
    return AlertNote(**doc["note"])


class MailWorker(BackgroundTask):
    def __init__(
        self,
        *,
        db: AsyncDatabase[dict[str, Any]],
        queue: MongoMailQueue,
        mailer: SmtpMailer,
        clock: Callable[[], datetime],
        timing: Timing,
        retry: RetryPolicy,
        portal_url: str,
        poll_seconds: float,
        lease: timedelta,
        logger: Any = None,
        muted: Muted | None = None,
    ) -> None:
        super().__init__("monitoring-mail")
        self.muted = muted
        self._db, self._queue, self._mailer = db, queue, mailer
        self._clock, self._timing, self._retry = clock, timing, retry
        self._portal = portal_url
        self._poll, self._lease = poll_seconds, lease
        self._log = logger

    def _word(self, notes: list[AlertNote], group: str, name: str) -> Letter:
        return compose(notes, group, name, self._portal)

    async def run_once(self) -> Counter[str]:
        """One step: repeats, messages made, messages sent or failed."""
        outcomes: Counter[str] = Counter()
        now = self._clock()
        outcomes["repeated"] += await enqueue_repeats(self._db, now, self._timing)
        if self.muted is not None:
            outcomes += await self._released(self.muted, now)
        for user_id, group in await self._queue.ready_groups(now):
            keys = await self._unmuted(user_id, group, now, outcomes)
            if keys and await self._queue.batch(keys, user_id, group, now, self._word):
                outcomes["messages"] += 1
        for _ in range(MAX_SENDS):
            doc = await self._queue.claim(self._clock(), self._lease)
            if doc is None:
                break
            outcomes[await self._send(doc)] += 1
        return outcomes

    async def _released(self, muted: Muted, now: datetime) -> Counter[str]:
        """Held items that nothing mutes any more are mailed if still worth it (firings
        first, so a resolve knows whether its firing was)."""
        out: Counter[str] = Counter()
        q = self._queue
        held = sorted(
            await q.due_items(now, HELD), key=lambda d: d["note"]["transition"] != "fired"
        )
        for doc, why in zip(held, await muted([note_of(d) for d in held], now), strict=True):
            if why is not None:
                continue
            n = note_of(doc)
            fired = f"{n.fingerprint}|{n.episode}|fired|{doc['user_id']}"
            alert = await q.alert_state(n.fingerprint)
            if worth_mailing_after_mute(n, alert, await q.unsent(fired)):
                await q.set_state([doc["_id"]], PENDING, None, now)
                out["released"] += 1
            else:
                await q.set_state([doc["_id"]], UNSENT, "no longer worth mailing", now)
                out["unsent"] += 1
        return out

    async def _unmuted(
        self, user_id: str, group: str, now: datetime, out: Counter[str]
    ) -> list[str]:
        """The keys of the items the group's message will list. Every item is looked at
        just before, due or not (one not yet due goes out with the group's first): those
        of muted alerts are held instead."""
        docs = await self._queue.group_items(user_id, group, now)
        if self.muted is None or not docs:
            return [d["_id"] for d in docs]
        keys = []
        for doc, why in zip(docs, await self.muted([note_of(d) for d in docs], now), strict=True):
            if why is None:
                keys.append(doc["_id"])
            else:
                await self._queue.set_state([doc["_id"]], HELD, why, now)
                out["held"] += 1
        return keys

    async def _send(self, doc: dict[str, Any]) -> str:
        error = await self._mailer.send(doc)
        now, attempts = self._clock(), doc.get("attempts", 0) + 1
        if error is None:
            await self._queue.finish(
                doc["_id"], {"state": SENT, "sent_at": now, "attempts": attempts}
            )
            return "sent"
        again = self._retry.next_attempt(attempts, now)
        changes = {"attempts": attempts, "last_error": error}
        if again is None:
            changes["state"] = FAILED
        else:
            changes |= {"state": PENDING, "due_at": again}
        await self._queue.finish(doc["_id"], changes)
        if self._log is not None:
            self._log.warning("an alert email was not sent", mail_id=doc["_id"], error=error)
        return "failed" if again is None else "retrying"

    async def run(self) -> None:
        while not self.stopping:
            try:
                outcomes = await self.run_once()
                if outcomes and self._log is not None and +outcomes:
                    self._log.info("alert emails", **+outcomes)
            except Exception as exc:  # noqa: BLE001 - the worker must outlive outages
                if self._log is not None:
                    self._log.warning("alert emails failed; retrying", error=str(exc))
            await self.nap(self._poll)

    async def _stopped(self) -> None:
        with contextlib.suppress(Exception):
            await self._queue.release()
