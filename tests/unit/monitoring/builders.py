"""Small builders of monitoring's domain objects for the unit tests."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime
from typing import Any

from monitoring.core.domain.model import (
    Commitment,
    CommitmentStatus,
    Figures,
    Metric,
    Milestone,
    Partner,
    PartnershipTarget,
    Report,
    TargetDefinition,
)
from monitoring.core.domain.periods import Cadence

NOW = datetime(2026, 5, 15, 9, 30, tzinfo=UTC)


def partner(partner_id: str = "p-acme", **changes: Any) -> Partner:
    values: dict[str, Any] = {
        "id": partner_id,
        "version": 2,
        "status": "active",
        "partnerships": ("digital-ecosystem",),
    }
    return Partner(**(values | changes))


def definition(**changes: Any) -> TargetDefinition:
    values: dict[str, Any] = {
        "metric": Metric.PEOPLE_TRAINED,
        "target_value": 20_000,
        "start_date": date(2025, 1, 1),
        "deadline": date(2027, 12, 31),
        "milestones": (Milestone(date(2026, 12, 31), 8_000),),
    }
    return TargetDefinition(**(values | changes))


def commitment(commitment_id: str = "c-cloud", **changes: Any) -> Commitment:
    target_changes = {
        k: changes.pop(k) for k in list(changes) if k in TargetDefinition.__annotations__
    }
    values: dict[str, Any] = {
        "id": commitment_id,
        "version": 1,
        "partner_id": "p-acme",
        "partnership_id": "digital-ecosystem",
        "target": definition(**target_changes),
        "cadence": Cadence.QUARTERLY,
        "grace_days": 30,
        "status": CommitmentStatus.ACTIVE,
        "title": "Cloud and cybersecurity skills",
        "countries": ("DE", "FR"),
        "levels": ("advanced",),
    }
    return Commitment(**(values | changes))


def partnership_target(target_id: str = "t-digital", **changes: Any) -> PartnershipTarget:
    target_changes = {
        k: changes.pop(k) for k in list(changes) if k in TargetDefinition.__annotations__
    }
    values: dict[str, Any] = {
        "id": target_id,
        "version": 1,
        "partnership_id": "digital-ecosystem",
        "target": definition(**({"target_value": 50_000, "milestones": ()} | target_changes)),
        "title": "50,000 people trained",
    }
    return PartnershipTarget(**(values | changes))


def report(
    period: str = "2026-Q1",
    people_trained: int = 100,
    *,
    revision: int = 1,
    event_id: str | None = None,
    partner_id: str = "p-acme",
    commitment_id: str = "c-cloud",
    **figures: Any,
) -> Report:
    f = Figures(people_trained=people_trained, **figures)
    content = f"{partner_id}|{commitment_id}|{period}|{revision}|{f!r}"
    return Report(
        event_id=event_id or str(uuid.uuid4()),
        partner_id=partner_id,
        commitment_id=commitment_id,
        period=period,
        revision=revision,
        figures=f,
        occurred_at=NOW,
        content_hash=hashlib.sha256(content.encode()).hexdigest(),
        payload=f'{{"period": "{period}"}}',
    )
