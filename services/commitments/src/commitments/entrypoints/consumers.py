"""Every Kafka subscription of the commitments service, and what it publishes.

- `registry.partner-events.v1` (group `commitments.partners`): the read model of partners
  and partnerships; a partner's status change suspends, resumes or withdraws its open
  commitments.
- `monitoring.alerts.v1` (group `commitments.alerts`): TargetAchieved / TargetMissed on a
  commitment set it achieved or missed.

Each message is decoded against its contract (or dead-lettered) and applied once, inside
the consumer's transaction together with its inbox record (pact_common.event_consumer)."""

from __future__ import annotations

import structlog

from pact_common.runtime import Runtime
from pact_common.unit_of_work import Transaction
from pact_contracts import (
    ALERTS,
    COMMITMENT_EVENTS,
    PARTNER_EVENTS,
    AlertEvent,
    AlertFired,
    AlertRule,
    PartnerEvent,
    PartnershipCreated,
    PersonUpdated,
    SubjectType,
)

from ..adapters.unit_of_work import MongoUnitOfWork
from ..domain import commands
from ..domain.partners import PartnershipView, PartnerStatus, PartnerView
from ..domain.values import Cause
from ..service_layer import handlers

OUTCOMES = {AlertRule.TARGET_ACHIEVED: True, AlertRule.TARGET_MISSED: False}
log = structlog.get_logger("commitments").bind(service="commitments")


def register(runtime: Runtime) -> None:
    runtime.declare_publisher(COMMITMENT_EVENTS)
    runtime.consume(PARTNER_EVENTS, "partners", on_partner_event)
    runtime.consume(ALERTS, "alerts", on_alert)


def _joined(tx: Transaction, event: PartnerEvent | AlertEvent) -> MongoUnitOfWork:
    return MongoUnitOfWork(tx.joined(), event.correlation_id or str(event.event_id))


async def on_partner_event(tx: Transaction, event: PartnerEvent) -> None:
    if isinstance(event, PersonUpdated):
        return  # people's accounts are monitoring's recipients, nothing of commitments'
    if isinstance(event, PartnershipCreated):
        view = PartnershipView(event.partnership_id, event.name, event.ecosystem)
        await handlers.record_partnership(commands.RecordPartnership(view), _joined(tx, event))
        return
    partner = PartnerView(
        partner_id=event.partner_id,
        version=event.partner_version,
        status=PartnerStatus(event.partner.status.value),
        partnerships=tuple(event.partner.partnerships),
        credential_version=event.partner.credential_version,
    )
    cause = Cause(
        event_id=str(event.event_id),
        at=event.occurred_at,
        actor=event.actor or event.producer,
        reason=event.reason or f"partner {event.event_type.removeprefix('Partner').lower()}",
    )
    changed = await handlers.record_partner(
        commands.RecordPartner(partner, cause), _joined(tx, event)
    )
    if changed:
        log.info(
            "commitments follow their partner",
            event_id=cause.event_id,
            partner_id=partner.partner_id,
            partner_status=partner.status.value,
            commitments_changed=changed,
        )


async def on_alert(tx: Transaction, event: AlertEvent) -> None:
    """Only a fired TargetAchieved or TargetMissed about a commitment sets its status."""
    if not isinstance(event, AlertFired) or event.subject_type is not SubjectType.COMMITMENT:
        return
    achieved = OUTCOMES.get(event.rule)
    if achieved is None:
        return
    cause = Cause(str(event.event_id), event.occurred_at, event.producer, event.message)
    cmd = commands.RecordTargetOutcome(event.subject_id, achieved, cause)
    if await handlers.record_target_outcome(cmd, _joined(tx, event)):
        log.info(
            "commitment achieved" if achieved else "commitment missed",
            event_id=cause.event_id,
            commitment_id=event.subject_id,
        )
