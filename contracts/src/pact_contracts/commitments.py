"""Events on `commitments.commitment-events.v1` (key: commitment_id, or target_id).

Each event carries the full current target definition and its version, so a consumer
never needs a second call and converges under duplicates and reordering.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from .envelope import Event, text
from .vocabulary import (
    ActionType,
    Cadence,
    CommitmentStatus,
    CountryCode,
    Gender,
    Metric,
    Principle,
    SkillLevel,
    Specialisation,
)


class Milestone(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    due_date: date = Field(description="When the value is due.", examples=["2026-12-31"])
    value: float = Field(
        ge=0, description="Cumulative value of the metric due by then.", examples=[5000]
    )


class TargetDefinition(BaseModel):
    """What is to be reached, by when, and the milestones on the way."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: Metric = Field(description="What the target counts.", examples=["people_trained"])
    target_value: float = Field(gt=0, description="Value to reach.", examples=[20000])
    baseline: float = Field(
        default=0, ge=0, description="Value already reached at the start.", examples=[0]
    )
    start_date: date = Field(description="First day counted.", examples=["2025-01-01"])
    deadline: date = Field(description="Last day to reach the target.", examples=["2027-12-31"])
    milestones: list[Milestone] = Field(
        default_factory=list,
        description="Interim cumulative values, increasing, due before the deadline.",
        examples=[[{"due_date": "2026-12-31", "value": 8000}]],
    )


class CommitmentSnapshot(TargetDefinition):
    partner_id: str = text("Owner partner.", "p-3f2a9c1e", max_length=64)
    partnership_id: str = text("Partnership it counts toward.", "digital-ecosystem", max_length=64)
    title: str = text("Short title.", "Cloud and cybersecurity skills for 20,000 people")
    description: str = text(
        "What will be done.", "Advanced cloud and security training", max_length=5000, default=""
    )
    principle: Principle = Field(
        description="The Pact principle it serves.", examples=["lifelong_learning"]
    )
    action_type: ActionType = Field(description="Kind of action.", examples=["upskilling"])
    specialisations: list[Specialisation] = Field(
        description="Digital specialisations.", examples=[["cloud", "cybersecurity"]]
    )
    levels: list[SkillLevel] = Field(
        description="Targeted digital skill levels.", examples=[["advanced"]]
    )
    countries: list[CountryCode] = Field(
        description="Countries where it is carried out.", examples=[["DE", "FR", "IT", "ES"]]
    )
    cadence: Cadence = Field(description="How often progress is reported.", examples=["quarterly"])
    grace_days: int = Field(
        ge=0,
        le=365,
        description="Days after a period's end before its report is overdue.",
        examples=[30],
    )
    status: CommitmentStatus = Field(description="Status after this event.", examples=["active"])


class _CommitmentEvent(Event):
    producer: str = text(
        "The system that produced the event.", "commitments", default="commitments"
    )
    commitment_id: str = text("Commitment id.", "c-7b1d3e5f", max_length=64)
    commitment_version: int = Field(
        ge=1, description="Version of the commitment after this event.", examples=[2]
    )
    commitment: CommitmentSnapshot = Field(description="The commitment after this event.")
    actor: str | None = text("Who made the change.", "p-3f2a9c1e", default=None)
    reason: str | None = text(
        "Why, where the change has a reason.",
        "Scope extended to PT",
        max_length=2000,
        default=None,
    )


class CommitmentPledged(_CommitmentEvent):
    event_type: Literal["CommitmentPledged"] = "CommitmentPledged"


class CommitmentAmended(_CommitmentEvent):
    event_type: Literal["CommitmentAmended"] = "CommitmentAmended"
    changed_fields: list[str] = Field(
        default_factory=list,
        description="Fields the amendment changed.",
        examples=[["target_value", "deadline"]],
    )


class CommitmentWithdrawn(_CommitmentEvent):
    event_type: Literal["CommitmentWithdrawn"] = "CommitmentWithdrawn"


class CommitmentSuspended(_CommitmentEvent):
    event_type: Literal["CommitmentSuspended"] = "CommitmentSuspended"


class CommitmentResumed(_CommitmentEvent):
    event_type: Literal["CommitmentResumed"] = "CommitmentResumed"


class CommitmentAchieved(_CommitmentEvent):
    event_type: Literal["CommitmentAchieved"] = "CommitmentAchieved"


class CommitmentMissed(_CommitmentEvent):
    event_type: Literal["CommitmentMissed"] = "CommitmentMissed"


class TargetCell(BaseModel):
    """A part of a partnership target: what is needed at a skill level, in a country or of
    a gender (one, two or all three named), in the target's metric."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    level: SkillLevel | None = Field(
        default=None, description="The skill level; null: every level.", examples=["advanced"]
    )
    country: CountryCode | None = Field(
        default=None, description="The country; null: every country.", examples=["RO"]
    )
    gender: Gender | None = Field(
        default=None, description="The gender; null: every gender.", examples=[None]
    )
    value: float = Field(gt=0, description="What is needed in this cell.", examples=[4000])


class PartnershipTarget(TargetDefinition):
    partnership_id: str = text("The partnership.", "digital-ecosystem", max_length=64)
    title: str = text("Short title.", "1 million people trained in digital skills by 2030")
    cells: list[TargetCell] | None = Field(
        default=None,
        description="The target split by level, country and gender (additive in v1; absent "
        "or null: not split).",
        examples=[[{"level": "advanced", "country": "RO", "value": 4000}]],
    )


class PartnershipTargetSet(Event):
    event_type: Literal["PartnershipTargetSet"] = "PartnershipTargetSet"
    producer: str = text(
        "The system that produced the event.", "commitments", default="commitments"
    )
    target_id: str = text("Target id.", "t-digital-2030", max_length=64)
    target_version: int = Field(ge=1, description="Version of the target.", examples=[1])
    target: PartnershipTarget = Field(description="The target as set.")
    actor: str | None = text("Who set it.", "secretariat", default=None)


CommitmentEvent = Annotated[
    CommitmentPledged
    | CommitmentAmended
    | CommitmentWithdrawn
    | CommitmentSuspended
    | CommitmentResumed
    | CommitmentAchieved
    | CommitmentMissed
    | PartnershipTargetSet,
    Field(discriminator="event_type"),
]
COMMITMENT_EVENTS: TypeAdapter[CommitmentEvent] = TypeAdapter(CommitmentEvent)
