"""One valid instance of every contract event, for round trips and schema checks."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from pact_contracts import (
    CATALOGUE,
    AlertFired,
    AlertResolved,
    CommitmentSnapshot,
    Event,
    MessageDeadLettered,
    Milestone,
    PartnershipCreated,
    PartnershipTarget,
    PartnershipTargetSet,
    PartnerSnapshot,
    PersonUpdated,
    ProgressRejected,
    ProgressReported,
    RejectionReason,
)

PROGRESS_WIRE_FORM: dict[str, Any] = {
    "event_id": "8d0c4a9e-2f7b-4a58-9f0e-3c1d2b4a5e6f",
    "event_type": "ProgressReported",
    "schema_version": 1,
    "occurred_at": "2026-10-05T09:30:00Z",
    "producer": "acme-lms",
    "partner_id": "p-acme",
    "commitment_id": "c-cloud-skills",
    "period": "2026-Q3",
    "revision": 1,
    "people_trained": 120,
    "by_level": {"basic": 20, "intermediate": 50, "advanced": 40, "expert": 10},
    "by_country": {"DE": 70, "FR": 50},
    "by_gender": {"female": 50, "male": 68, "undisclosed": 2},
    "programmes_developed": 2,
    "investment_eur": 150000.0,
    "people_reached": 4000,
}

PARTNER = PartnerSnapshot(
    legal_name="Acme Cloud Europe SE",
    organisation_type="company",
    size_class="large",
    hq_country="DE",
    countries=["DE", "FR", "IT", "ES"],
    status="active",
    partnerships=["digital-ecosystem"],
    webhook_url="https://hooks.acme.example/pact",
)

COMMITMENT = CommitmentSnapshot(
    partner_id="p-acme",
    partnership_id="digital-ecosystem",
    title="Cloud and cybersecurity skills for 20,000 people",
    principle="lifelong_learning",
    action_type="upskilling",
    specialisations=["cloud", "cybersecurity"],
    levels=["advanced"],
    countries=["DE", "FR", "IT", "ES"],
    metric="people_trained",
    target_value=20000,
    start_date=date(2025, 1, 1),
    deadline=date(2027, 12, 31),
    milestones=[Milestone(due_date=date(2026, 12, 31), value=8000)],
    cadence="quarterly",
    grace_days=30,
    status="active",
)


def example(event_type: type[Event]) -> Event:
    """A valid instance of `event_type`."""
    name = event_type.__name__
    fields = event_type.model_fields
    if name == "ProgressReported":
        return ProgressReported.model_validate(PROGRESS_WIRE_FORM)
    if name == "PartnershipCreated":
        return PartnershipCreated(
            partnership_id="digital-ecosystem",
            name="Digital Ecosystem Skills Partnership",
            ecosystem="digital",
        )
    if name == "PartnershipTargetSet":
        return PartnershipTargetSet(
            target_id="t-digital-2030",
            target_version=1,
            target=PartnershipTarget(
                partnership_id="digital-ecosystem",
                title="1 million people trained by 2030",
                metric="people_trained",
                target_value=1_000_000,
                start_date=date(2025, 1, 1),
                deadline=date(2030, 12, 31),
            ),
        )
    if name == "ProgressRejected":
        return ProgressRejected(
            reason_code=RejectionReason.PERIOD_OUT_OF_RANGE,
            message="period 2031-Q1 is after the deadline",
            commitment_id="c-cloud-skills",
            original_payload='{"period": "2031-Q1"}',
        )
    if name == "MessageDeadLettered":
        return MessageDeadLettered(
            producer="commitments",
            source_topic="registry.partner-events.v1",
            source_partition=0,
            source_offset=7,
            consumer_group="commitments.partners",
            payload_b64="bm90IGpzb24=",
            reason="malformed",
            error="message is not JSON",
        )
    if name == "PersonUpdated":
        return PersonUpdated(
            user_id="usr-4f1c2a9b0d3e5f67",
            email="ana@acme.example",
            name="Ana Silva",
            partner_id="p-acme",
            role="coordinator",
            status="active",
            version=1,
        )
    if name in ("AlertFired", "AlertResolved"):
        cls = AlertFired if name == "AlertFired" else AlertResolved
        return cls(
            fingerprint="MilestoneMissed:commitment:c-cloud-skills:2026-12-31",
            episode=1,
            rule="MilestoneMissed",
            severity="warning",
            subject_type="commitment",
            subject_id="c-cloud-skills",
            partner_id="p-acme",
            partnership_id="digital-ecosystem",
            metric="people_trained",
            expected=8000,
            actual=5120,
            due_date=date(2026, 12, 31),
            message="Milestone of 8,000 people trained due 2026-12-31 missed: 5,120 reached.",
        )
    kwargs: dict[str, Any] = {}
    if "partner" in fields:
        kwargs |= {"partner_id": "p-acme", "partner_version": 2, "partner": PARTNER}
    if "commitment" in fields:
        kwargs |= {
            "commitment_id": "c-cloud-skills",
            "commitment_version": 2,
            "commitment": COMMITMENT,
        }
    if "partnership_id" in fields:
        kwargs["partnership_id"] = "digital-ecosystem"
    return event_type(**kwargs)


def every_event() -> list[Event]:
    seen: dict[str, Event] = {}
    for topic in CATALOGUE:
        for event_type in topic.events:
            seen.setdefault(event_type.__name__, example(cast(type[Event], event_type)))
    return list(seen.values())
