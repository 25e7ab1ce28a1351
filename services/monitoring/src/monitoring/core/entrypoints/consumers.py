"""Every Kafka subscription of monitoring, and what it publishes (for its AsyncAPI document).

- partners.progress-reported.v1, in batches: the hot path (progress_consumer.py).
- registry.partner-events.v1 and commitments.commitment-events.v1: monitoring's read models
  of partners (with their webhooks), partnerships, commitments and partnership targets
  (highest version wins); one consumer group each. People's accounts (PersonUpdated) go to
  `on_person` (notify's email recipients).

Monitoring publishes monitoring.alerts.v1 and monitoring.progress-rejected.v1 and reads
neither: what follows from an alert (the board, webhook deliveries) is stored in the
transaction that decided it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from monitoring.core.adapters import inbound
from monitoring.core.domain import commands
from monitoring.core.domain.model import Partner, PartnershipTarget
from monitoring.core.entrypoints.progress_consumer import ProgressConsumer
from monitoring.core.service_layer import handlers
from monitoring.core.service_layer.unit_of_work import UnitOfWork
from pact_common.clock import Clock
from pact_common.runtime import Runtime
from pact_common.unit_of_work import Transaction, retry_transient
from pact_contracts import (
    ALERTS,
    COMMITMENT_EVENTS,
    PARTNER_EVENTS,
    PROGRESS_REJECTED,
    PROGRESS_REPORTED,
    CommitmentEvent,
    PartnerEvent,
    PersonUpdated,
)

#: the progress consumer's group (and its inbox)
PROGRESS = "progress"


def register(
    runtime: Runtime,
    *,
    uow: Callable[[], UnitOfWork],
    joined: Callable[[Transaction], UnitOfWork],
    clock: Clock,
    policy: handlers.Policy,
    max_records: int,
    waits_ms: tuple[int, int] = (500, 200),
    on_person: Callable[[Transaction, PersonUpdated], Awaitable[None]] | None = None,
) -> ProgressConsumer:
    """`uow()` opens its own transaction; `joined(tx)` works inside the common consumer's;
    `waits_ms`: the progress consumer's fetch wait and idle wait (ProgressConsumer)."""

    async def on_partner_event(tx: Transaction, event: PartnerEvent) -> None:
        if isinstance(event, PersonUpdated):  # people: notify's email recipients
            if on_person is not None:
                await on_person(tx, event)
            return
        known = inbound.partner(event)
        if isinstance(known, Partner):
            await handlers.record_partner(commands.RecordPartner(known), joined(tx), clock, policy)
        else:
            await handlers.record_partnership(commands.RecordPartnership(known), joined(tx))

    async def on_commitment_event(tx: Transaction, event: CommitmentEvent) -> None:
        known = inbound.commitment(event)
        if isinstance(known, PartnershipTarget):
            cmd: Any = commands.RecordPartnershipTarget(known)
            await handlers.record_partnership_target(cmd, joined(tx), clock, policy)
        else:
            cmd = commands.RecordCommitment(known)
            await handlers.record_commitment(cmd, joined(tx), clock, policy)

    @retry_transient
    async def take(cmd: commands.TakeReports) -> Any:
        return await handlers.take_reports(cmd, uow(), clock, policy)

    runtime.consume(PARTNER_EVENTS, "partners", on_partner_event)
    runtime.consume(COMMITMENT_EVENTS, "commitments", on_commitment_event)
    progress = ProgressConsumer(
        name=PROGRESS,
        settings=runtime.settings,
        take=take,
        max_records=max_records,
        fetch_wait_ms=waits_ms[0],
        idle_ms=waits_ms[1],
        logger=runtime.log,
    )
    progress.subscribe(runtime.broker, runtime.settings.topic(PROGRESS_REPORTED), runtime.settings)
    for topic in (ALERTS, PROGRESS_REJECTED):
        runtime.declare_publisher(topic)
    return progress
