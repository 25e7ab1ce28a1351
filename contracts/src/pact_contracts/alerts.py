"""Events on `monitoring.alerts.v1` (key: commitment_id, or target_id)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, TypeAdapter

from .envelope import Event, text


class AlertRule(StrEnum):
    MILESTONE_MISSED = "MilestoneMissed"
    TARGET_MISSED = "TargetMissed"
    COMMITMENT_AT_RISK = "CommitmentAtRisk"
    REPORTING_OVERDUE = "ReportingOverdue"
    TARGET_ACHIEVED = "TargetAchieved"
    MILESTONE_ACHIEVED = "MilestoneAchieved"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class SubjectType(StrEnum):
    COMMITMENT = "commitment"
    PARTNERSHIP_TARGET = "partnership_target"


class _AlertEvent(Event):
    producer: str = text("The system that produced the event.", "monitoring", default="monitoring")
    fingerprint: str = text(
        "Stable id of (rule, subject): the same for every episode of one alert.",
        "MilestoneMissed:commitment:c-7b1d3e5f:2026-12-31",
        max_length=300,
    )
    episode: int = Field(
        ge=1,
        description="Which firing of this fingerprint; fired and resolved share it.",
        examples=[1],
    )
    rule: AlertRule = Field(description="The rule.", examples=["MilestoneMissed"])
    severity: Severity = Field(description="How serious.", examples=["warning"])
    subject_type: SubjectType = Field(
        description="What the alert is about.", examples=["commitment"]
    )
    subject_id: str = text("commitment_id or target_id.", "c-7b1d3e5f", max_length=64)
    partner_id: str | None = text("Owner partner, for commitments.", "p-3f2a9c1e", default=None)
    partnership_id: str = text("The partnership.", "digital-ecosystem", max_length=64)
    metric: str = text("The metric compared.", "people_trained", max_length=40)
    expected: float = Field(
        description="Value expected by now or at the due date.", examples=[8000]
    )
    actual: float = Field(description="Value reached.", examples=[5120])
    due_date: date | None = Field(
        default=None,
        description="The deadline or milestone date concerned.",
        examples=["2026-12-31"],
    )
    message: str = text(
        "A sentence for people.",
        "Milestone of 8,000 people trained due 2026-12-31 missed: 5,120 reached (64%).",
        max_length=2000,
    )


class AlertFired(_AlertEvent):
    event_type: Literal["AlertFired"] = "AlertFired"


class AlertResolved(_AlertEvent):
    event_type: Literal["AlertResolved"] = "AlertResolved"


AlertEvent = Annotated[AlertFired | AlertResolved, Field(discriminator="event_type")]
ALERT_EVENTS: TypeAdapter[AlertEvent] = TypeAdapter(AlertEvent)
