"""The topic catalogue: every topic, its partition key and the events on it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, TypeAdapter

from . import alerts, commitments, deadletter, progress, registry


@dataclass(frozen=True)
class Topic:
    name: str
    key: str  # the event field whose value is the message key
    events: tuple[type[BaseModel], ...]
    adapter: TypeAdapter[Any]
    description: str

    @property
    def event_types(self) -> tuple[str, ...]:
        return tuple(e.model_fields["event_type"].default for e in self.events)


def _union_members(adapter_union: Any) -> tuple[type[BaseModel], ...]:
    from typing import get_args

    union = get_args(adapter_union)[0]
    return tuple(get_args(union))


PARTNER_EVENTS = Topic(
    name="registry.partner-events.v1",
    key="partner_id",
    events=_union_members(registry.PartnerEvent),
    adapter=registry.PARTNER_EVENTS,
    description="Partner registration and lifecycle, partnerships, people's accounts "
    "(PersonUpdated: key partner_id, or user_id for the secretariat's people). Written by "
    "registry.",
)
COMMITMENT_EVENTS = Topic(
    name="commitments.commitment-events.v1",
    key="commitment_id",
    events=_union_members(commitments.CommitmentEvent),
    adapter=commitments.COMMITMENT_EVENTS,
    description="Commitments pledged, amended, withdrawn, suspended, resumed, achieved, "
    "missed; partnership targets. Written by commitments.",
)
PROGRESS_REPORTED = Topic(
    name="partners.progress-reported.v1",
    #: a partner's reports on one partition, so one monitoring instance keeps its rows
    #: (its commitment_id is still taken, as before 2026-12-06)
    key="partner_id",
    events=(progress.ProgressReported,),
    adapter=progress.PROGRESS_REPORT,
    description="Progress reports written by partner systems (and by monitoring's POST /progress).",
)
ALERTS = Topic(
    name="monitoring.alerts.v1",
    key="subject_id",
    events=_union_members(alerts.AlertEvent),
    adapter=alerts.ALERT_EVENTS,
    description="Alerts fired and resolved on commitments and partnership targets; by monitoring.",
)
PROGRESS_REJECTED = Topic(
    name="monitoring.progress-rejected.v1",
    key="commitment_id",
    events=(progress.ProgressRejected,),
    adapter=progress.REJECTIONS,
    description="Progress reports refused, with a reason code and the original payload.",
)


def dead_letter_topic(service: str) -> Topic:
    """Each service's dead-letter topic, for messages its consumers could not read."""
    return Topic(
        name=f"{service}.dead-letter.v1",
        key="source_topic",
        events=(deadletter.MessageDeadLettered,),
        adapter=deadletter.DEAD_LETTERS,
        description=f"Messages {service}'s consumers could not read, with reason and bytes.",
    )


SERVICES = ("registry", "commitments", "monitoring")
CATALOGUE: tuple[Topic, ...] = (
    PARTNER_EVENTS,
    COMMITMENT_EVENTS,
    PROGRESS_REPORTED,
    ALERTS,
    PROGRESS_REJECTED,
    *(dead_letter_topic(s) for s in SERVICES),
)


def topic_for(event: BaseModel) -> Topic:
    for topic in CATALOGUE[:5]:  # the dead-letter topics share one event type
        if type(event) in topic.events:
            return topic
    raise LookupError(f"no topic carries {type(event).__name__}")


#: The topics `python -m monitoring.rebuild` replays from the beginning, in its order. They
#: keep every record (KEPT_FOREVER), or a rebuild would miss what the broker had deleted:
#: deploy/kafka/init.sh creates them so, and scripts/kafka.sh (`python -m
#: pact_common.kept_topics`).
REPLAYED: tuple[Topic, ...] = (PARTNER_EVENTS, COMMITMENT_EVENTS, PROGRESS_REPORTED, ALERTS)
KEPT_FOREVER: dict[str, str] = {"retention.ms": "-1"}


def key_for(event: BaseModel) -> bytes:
    """The partition key of an event: its topic's key field; events about a partnership
    or a partnership target use that id; a rejection of an unreadable report, its event_id."""
    for field in (topic_for(event).key, "partnership_id", "target_id", "user_id", "event_id"):
        value = getattr(event, field, None)
        if value is not None:
            return str(value).encode()
    raise LookupError(f"{type(event).__name__} has no key field")  # pragma: no cover
