"""Alert events decided by core -> what their webhook deliveries need; enqueued inside the
transaction that decided them (core's unit of work calls `DeliveriesOnDecision` before it
commits), so monitoring never reads back the alerts topic it publishes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import pact_contracts as c
from monitoring.notify.adapters.alert_board import MongoReceiverDirectory
from monitoring.notify.adapters.delivery_queue import MongoDeliveryQueue
from monitoring.notify.domain.delivery import Notice, Transition
from monitoring.notify.service_layer.handlers import DeliveryPolicy, enqueue_deliveries
from pact_common.unit_of_work import Transaction


def notice_of(event: c.AlertFired | c.AlertResolved) -> Notice:
    fired = isinstance(event, c.AlertFired)
    return Notice(
        event_id=str(event.event_id),
        event_type=event.event_type,
        fingerprint=event.fingerprint,
        episode=event.episode,
        transition=Transition.FIRED if fired else Transition.RESOLVED,
        partner_id=event.partner_id,
        partnership_id=event.partnership_id,
    )


class DeliveriesOnDecision:
    """Enqueues the webhook deliveries of the alert events a transaction is about to commit."""

    def __init__(self, clock: Callable[[], datetime], policy: DeliveryPolicy) -> None:
        self._clock = clock
        self._policy = policy

    async def __call__(self, tx: Transaction, events: Sequence[c.Event]) -> None:
        decided = [
            (notice_of(e), e.model_dump_json())
            for e in events
            if isinstance(e, c.AlertFired | c.AlertResolved)
        ]
        if decided:
            queue = MongoDeliveryQueue(tx.db, tx.session)
            receivers = MongoReceiverDirectory(tx.db, tx.session)
            await enqueue_deliveries(decided, queue, receivers, self._clock, self._policy)
