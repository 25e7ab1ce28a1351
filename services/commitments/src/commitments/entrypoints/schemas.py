"""Request and response bodies of the commitments HTTP API. Controlled vocabularies are the
contracts' own, so an unknown value is refused (422) naming the field and the rule."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StringConstraints,
)

from pact_common.http import Page, Reason, Text
from pact_common.inputs import Distinct, IsoDate
from pact_common.text import NOT_WHITE_SPACE, trim
from pact_contracts.vocabulary import (
    ActionType,
    Cadence,
    CountryCode,
    Gender,
    Metric,
    Principle,
    SkillLevel,
    Specialisation,
)

from ..domain.cells import Cell

#: Measured as sent and kept trimmed, as pact_common.http's Text
Id = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=NOT_WHITE_SPACE),
    AfterValidator(trim),
]
Description = Annotated[str, StringConstraints(max_length=5000), AfterValidator(trim)]
#: JSON numbers only (not "5000", not true), as the schema's `number` says
Amount = Annotated[StrictFloat, Field(gt=0, le=1e12)]
Value = Annotated[StrictFloat, Field(ge=0, le=1e12)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MilestoneIn(_Body):
    due_date: IsoDate = Field(description="When the value is due.", examples=["2026-12-31"])
    value: Value = Field(description="Cumulative value of the metric due by then.", examples=[2500])


class _TargetIn(_Body):
    metric: Metric = Field(default=Metric.PEOPLE_TRAINED, description="What the target counts.")
    target_value: Amount = Field(description="Value to reach.", examples=[5000])
    baseline: Value = Field(default=0, description="Value already reached at the start.")
    start_date: IsoDate = Field(description="First day counted.", examples=["2026-01-01"])
    deadline: IsoDate = Field(description="Last day to reach the target.", examples=["2027-12-31"])
    milestones: list[MilestoneIn] = Field(
        default_factory=list,
        max_length=120,
        description="Interim cumulative values, increasing, due before the deadline.",
    )


class PledgeIn(_TargetIn):
    partner_id: Id | None = Field(
        default=None,
        description="The owner partner; a partner's own by default (required for the secretariat).",
        examples=["p-3f2a9c1e"],
    )
    partnership_id: Id = Field(
        description="Partnership it counts toward.", examples=["digital-ecosystem"]
    )
    title: Text = Field(examples=["Cloud and cybersecurity skills for 5,000 workers"])
    description: Description = ""
    principle: Principle = Field(description="The Pact principle it serves.")
    action_type: ActionType
    specialisations: Distinct[Specialisation] = Field(min_length=1, max_length=20)
    levels: Distinct[SkillLevel] = Field(min_length=1, max_length=4)
    countries: Distinct[CountryCode] = Field(min_length=1, max_length=29)
    cadence: Cadence = Field(description="How often progress is reported.")
    grace_days: StrictInt = Field(
        default=30, ge=0, le=365, description="Days after a period's end before it is overdue."
    )


class AmendmentIn(_Body):
    reason: Reason = Field(examples=["Scope extended to PT"])
    target_value: Amount | None = None
    deadline: IsoDate | None = None
    milestones: list[MilestoneIn] | None = Field(
        default=None, max_length=120, description="The whole new list, when it changes."
    )


class WithdrawalIn(_Body):
    reason: Reason = Field(examples=["Programme discontinued"])


class CellIn(_Body):
    """A cell of a target: one, two or all three of level, country and gender."""

    level: SkillLevel | None = Field(default=None, description="The skill level; none: every.")
    country: CountryCode | None = Field(
        default=None, description="The country; none: every.", examples=["RO"]
    )
    gender: Gender | None = Field(default=None, description="The gender; none: every.")
    value: Amount = Field(description="What is needed in the cell.", examples=[4000])


def cell_of(c: CellIn) -> Cell:
    def name(value: str | None) -> str | None:
        return None if value is None else str(value)

    return Cell(name(c.level), c.country, name(c.gender), c.value)


class TargetIn(_TargetIn):
    partnership_id: Id = Field(examples=["digital-ecosystem"])
    title: Text = Field(examples=["1 million people trained in digital skills by 2030"])
    cells: list[CellIn] = Field(
        default_factory=list,
        max_length=500,
        description="The target split by level, country and gender: each cell names at "
        "least one of them, and no cell twice.",
        examples=[[{"level": "advanced", "country": "RO", "value": 4000}]],
    )


class Pledged(BaseModel):
    commitment_id: str
    version: int
    status: str


class TargetSet(BaseModel):
    target_id: str
    version: int


class Milestone(BaseModel):
    due_date: date
    value: float


class Terms(BaseModel):
    partner_id: str
    partnership_id: str
    title: str
    description: str
    principle: str
    action_type: str
    specialisations: list[str]
    levels: list[str]
    countries: list[str]
    metric: str
    target_value: float
    baseline: float
    start_date: date
    deadline: date
    milestones: list[Milestone]
    cadence: str
    grace_days: int


class CommitmentOut(Terms):
    id: str
    status: str
    version: int
    pledged_at: datetime
    updated_at: datetime | None

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> CommitmentOut:
        return cls.model_validate(doc | {"id": doc["_id"]})


class HistoryEntry(BaseModel):
    version: int
    event_type: str
    occurred_at: datetime
    actor: str | None
    reason: str | None
    changed_fields: list[str]
    caused_by: str | None = Field(description="The partner event or alert that caused it.")
    status: str
    commitment: Terms = Field(description="The commitment as it was at this version.")


class CommitmentDetail(CommitmentOut):
    history: list[HistoryEntry] = Field(description="Every version, oldest first.")


class CommitmentPage(Page):
    items: list[CommitmentOut]


class CellOut(BaseModel):
    level: str | None
    country: str | None
    gender: str | None
    value: float


class TargetOut(BaseModel):
    id: str
    partnership_id: str
    title: str
    metric: str
    target_value: float
    baseline: float
    start_date: date
    deadline: date
    milestones: list[Milestone]
    version: int
    set_at: datetime
    cells: list[CellOut] = Field(description="The target's cells; none: not split.")

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> TargetOut:
        return cls.model_validate(doc | {"id": doc["_id"], "cells": doc.get("cells") or []})


class TargetPage(Page):
    items: list[TargetOut]
