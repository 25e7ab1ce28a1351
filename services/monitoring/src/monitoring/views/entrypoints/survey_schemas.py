"""What the declarations and the per-partner survey take and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from monitoring.views.domain.declarations import PRINCIPLES

__all__ = ["PRINCIPLES"]
from monitoring.views.entrypoints.aggregate_schemas import AnnualReportOut


class PrincipleActivities(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    activities: str = Field(
        min_length=1,
        max_length=2000,
        pattern=r"\S",
        description="What the partner did in the year for this principle, in short.",
        examples=["Mentoring programme for 40 SMEs with the regional chamber"],
    )
    count: int | None = Field(
        default=None,
        ge=0,
        le=100_000_000,
        description="How many activities, where the partner counts them.",
        examples=[12],
    )


_PRINCIPLE = "Activities for the charter principle `{}` (omitted: none declared)."


class DeclarationIn(BaseModel):
    """A partner's yearly declaration for the annual survey."""

    model_config = ConfigDict(extra="forbid", strict=True)

    stakeholders_joined_networks: int = Field(
        ge=0,
        le=100_000_000,
        description="Stakeholders the partner brought into networks in the year.",
        examples=[25],
    )
    lifelong_learning: PrincipleActivities | None = Field(
        default=None, description=_PRINCIPLE.format("lifelong_learning")
    )
    skills_partnerships: PrincipleActivities | None = Field(
        default=None, description=_PRINCIPLE.format("skills_partnerships")
    )
    skills_intelligence: PrincipleActivities | None = Field(
        default=None, description=_PRINCIPLE.format("skills_intelligence")
    )
    equal_opportunities: PrincipleActivities | None = Field(
        default=None, description=_PRINCIPLE.format("equal_opportunities")
    )

    def principles(self) -> dict[str, dict[str, Any]]:
        return {p: a.model_dump() for p in PRINCIPLES if (a := getattr(self, p)) is not None}


class DeclarationOut(BaseModel):
    partner_id: str = Field(examples=["p-acme"])
    year: int = Field(examples=[2026])
    stakeholders_joined_networks: int = Field(examples=[25])
    principles: dict[str, PrincipleActivities] = Field(
        description="Per charter principle declared: its activities."
    )
    declared_by: str = Field(description="Who declared it (a person's email or a key).")
    declared_at: datetime

    @classmethod
    def of(cls, doc: dict[str, Any]) -> DeclarationOut:
        return cls.model_validate(doc)


class DeclarationList(BaseModel):
    items: list[DeclarationOut]


class ConfirmationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    digest: str = Field(
        pattern=r"^[0-9a-f]{64}$",
        description="The survey's digest as read (GET /surveys/...): what is confirmed.",
        examples=["9f2c" * 16],
    )


class ConfirmationOut(BaseModel):
    digest: str = Field(description="The digest of the survey confirmed.")
    confirmed_by: str
    confirmed_at: datetime
    current: bool = Field(description="Whether the survey is still what was confirmed.")


class SurveyOut(BaseModel):
    """A partner's answers to the Pact's annual survey, pre-filled from what it reported and
    declared, for it to check and confirm."""

    partner_id: str = Field(examples=["p-acme"])
    year: int = Field(examples=[2026])
    figures: AnnualReportOut = Field(description="The partner's own figures of the year.")
    declaration: DeclarationOut | None = Field(
        description="Its declaration of the year (null: none yet)."
    )
    digest: str = Field(description="SHA-256 of the figures and declaration: what to confirm.")
    confirmation: ConfirmationOut | None = Field(description="The latest confirmation, if any.")
