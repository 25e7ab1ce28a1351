"""Alerts by email, put together: the hook that enqueues mail items with each decision, and
the mail worker. Built by bootstrap from the settings it passes (None: no email)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import pact_contracts as c
from monitoring.notify.adapters.mail_inbound import MailOnDecision
from monitoring.notify.adapters.mail_queue import MongoMailQueue
from monitoring.notify.adapters.smtp import SmtpMailer, SmtpServer
from monitoring.notify.domain.email import RetryPolicy, Timing
from monitoring.notify.entrypoints.mail_worker import MailWorker
from pact_common.runtime import Runtime
from pact_common.unit_of_work import Transaction

OnDecided = Callable[[Transaction, Sequence[c.Event]], Awaitable[None]]


@dataclass(frozen=True)
class EmailSettings:
    server: SmtpServer
    portal_url: str
    group_wait_seconds: float
    repeat_interval_seconds: float
    digest_hour: int
    retry: RetryPolicy
    poll_seconds: float
    lease_seconds: float

    @property
    def timing(self) -> Timing:
        repeat = self.repeat_interval_seconds
        return Timing(
            group_wait=timedelta(seconds=self.group_wait_seconds),
            repeat_interval=timedelta(seconds=repeat) if repeat > 0 else None,
            digest_at=time(self.digest_hour, 0),
        )


def with_mail(on_decided: OnDecided, mails: MailOnDecision | None) -> OnDecided:
    """The webhook deliveries' hook, then the mail items' (when email is on)."""
    if mails is None:
        return on_decided

    async def both(tx: Transaction, events: Sequence[c.Event]) -> None:
        await on_decided(tx, events)
        await mails(tx, events)

    return both


@dataclass
class Mailing:
    on_decision: MailOnDecision
    worker: MailWorker


def mailing(
    email: EmailSettings | None, runtime: Runtime, clock: Callable[[], datetime], logger: Any
) -> Mailing | None:
    if email is None:
        return None
    db = runtime.mongo.db
    worker = MailWorker(
        db=db,
        queue=MongoMailQueue(runtime.mongo.client, db),
        mailer=SmtpMailer(email.server),
        clock=clock,
        timing=email.timing,
        retry=email.retry,
        portal_url=email.portal_url,
        poll_seconds=email.poll_seconds,
        lease=timedelta(seconds=email.lease_seconds),
        logger=logger,
    )
    return Mailing(MailOnDecision(clock, email.timing), worker)
