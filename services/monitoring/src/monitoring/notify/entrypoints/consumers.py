"""The alert board's Kafka subscription: one consumer group of its own (`monitoring.alerts`)
on two topics, each event applied once (its id stored with the effect, per topic's inbox):

- monitoring.alerts.v1: store every alert on the board and enqueue its webhook deliveries;
- registry.partner-events.v1: the partners' webhook URLs (highest partner version wins).

One subscription rather than one per topic: each consumer-group member costs a join.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from faststream.kafka.annotations import KafkaMessage

from monitoring.notify.adapters.inbound import alert_notice, webhook_contact
from monitoring.notify.service_layer import handlers as alert_handlers
from monitoring.notify.service_layer.ports import AlertUnitOfWork
from pact_common.consumer import EventConsumer
from pact_common.consuming import Inbox, Record
from pact_common.kafka import subscriber_options
from pact_common.runtime import Runtime
from pact_common.unit_of_work import MongoUnitOfWork as Transaction
from pact_contracts import ALERTS, PARTNER_EVENTS, AlertEvent, PartnerEvent, Topic

#: the consumer group; and the inboxes of its two topics
ALERT_BOARD, WEBHOOKS = "alerts", "webhooks"


def register(
    runtime: Runtime,
    *,
    joined: Callable[[Transaction], AlertUnitOfWork],
    clock: alert_handlers.Clock,
    policy: alert_handlers.DeliveryPolicy,
    subscribe: bool = True,
) -> dict[str, EventConsumer[Any]]:
    """Returns the consumer of each (namespaced) topic; `subscribe=False` only builds them
    (the rebuild feeds them itself)."""

    async def on_alert(tx: Transaction, event: AlertEvent) -> None:
        body = event.model_dump_json()
        await alert_handlers.record_alert(alert_notice(event), body, joined(tx), clock, policy)

    async def on_partner_webhook(tx: Transaction, event: PartnerEvent) -> None:
        contact = webhook_contact(event)
        if contact is not None:
            await alert_handlers.record_contact(contact, joined(tx))

    settings = runtime.settings

    def consumer(topic: Topic, name: str, apply: Any) -> EventConsumer[Any]:
        return EventConsumer(
            name=name,
            settings=settings,
            adapter=topic.adapter,
            apply=apply,
            unit_of_work=runtime.unit_of_work,
            dead_letters=runtime.dead_letters,
            inbox=Inbox(runtime.mongo.db, settings.group(name)),
            logger=runtime.log,
        )

    by_topic = {
        settings.topic(ALERTS): consumer(ALERTS, ALERT_BOARD, on_alert),
        settings.topic(PARTNER_EVENTS): consumer(PARTNER_EVENTS, WEBHOOKS, on_partner_webhook),
    }

    async def on_alert_or_partner_event(msg: KafkaMessage) -> None:
        record = cast(Record, msg.raw_message)
        await by_topic[record.topic].handle(record)

    if subscribe:
        options = subscriber_options(settings, ALERT_BOARD)
        runtime.broker.subscriber(*by_topic, **options)(on_alert_or_partner_event)
    return by_topic
