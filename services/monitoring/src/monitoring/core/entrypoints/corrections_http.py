"""The secretariat's corrections of a period (domain/corrections.py), and their audit:

- `POST /progress/commitments/{commitment_id}/periods/{period}/correction` (secretariat):
  the period takes the figures and revision given, or is cleared (`figures: null`),
  whatever was reported; the partner's next report for it needs a higher revision.
- `GET /progress/commitments/{commitment_id}/corrections` (its partner, the secretariat):
  every correction, with what it replaced, who made it, when and why."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Self
from uuid import uuid4

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field, StrictInt, create_model, model_validator
from pymongo.asynchronous.database import AsyncDatabase

from monitoring.core.adapters.corrections import corrections_of
from monitoring.core.adapters.report_codec import figures_of
from monitoring.core.domain.commands import CorrectPeriod
from monitoring.core.domain.corrections import Correction
from monitoring.core.domain.errors import CommitmentNotFound
from monitoring.core.domain.figures import FIGURES, Figures
from monitoring.core.entrypoints.http import ProgressReport, breakdowns_sum_to_total
from pact_common.auth import CurrentPrincipal
from pact_common.clock import Clock
from pact_common.http import PROBLEMS
from pact_common.http import Reason as ReasonText
from pact_contracts import ProgressReported
from pact_contracts.progress import PERIOD_PATTERN, report_figures

Correct = Callable[[CorrectPeriod], Awaitable[Correction]]
CommitmentId = Annotated[str, Path(min_length=1, max_length=64)]
#: The contract's PERIOD_PATTERN but for the year 0000, which is no year (domain/periods.py
#: refuses it): the schema says all the path is checked for.
PERIOD_IN_A_YEAR = (
    r"^([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})"
    + PERIOD_PATTERN.removeprefix("^[0-9]{4}")
)
PeriodText = Annotated[str, Path(pattern=PERIOD_IN_A_YEAR, examples=["2026-Q3"])]


class _Figures(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _breakdowns_sum_to_total(self) -> Self:
        return breakdowns_sum_to_total(self)


_SAID = ProgressReport.model_fields
if TYPE_CHECKING:
    CorrectedFigures = _Figures
else:
    CorrectedFigures = create_model(
        "CorrectedFigures",
        __base__=_Figures,
        **{
            f.name: (_SAID[f.name].annotation, _SAID[f.name])
            for f in report_figures(ProgressReported)
        },
    )


class CorrectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: ReasonText = Field(description="Why: kept with the correction, shown to the partner.")
    figures: CorrectedFigures | None = Field(
        description="The period's figures after the correction, as a report gives them; "
        "null clears the period, as if it had never been reported."
    )
    revision: StrictInt = Field(
        default=1,
        ge=1,
        le=1_000_000,
        description="The period's revision after the correction: the partner's next report "
        "for it needs a higher one (not used when figures is null: a cleared period takes "
        "any revision).",
    )


class PeriodShown(BaseModel):
    revision: int
    event_id: str = Field(description="The report it came from (correction:<id> for one).")
    reported_at: datetime
    figures: dict[str, Any]


class CorrectionOut(BaseModel):
    correction_id: str
    commitment_id: str
    period: str
    revision: int = Field(description="The period's revision after it (0: cleared).")
    figures: dict[str, Any] | None = Field(description="After it; null: the period cleared.")
    reason: str
    by: str = Field(description="Who made it.")
    at: datetime
    before: PeriodShown | None = Field(description="The period as it was; null: not reported.")


class Corrections(BaseModel):
    items: list[CorrectionOut]


def _shown(f: Figures) -> dict[str, Any]:
    return {s.reported_as: s.shown(getattr(f, s.name)) for s in FIGURES}


def correction_out(c: Correction) -> CorrectionOut:
    before = c.before
    return CorrectionOut(
        correction_id=c.correction_id,
        commitment_id=c.commitment_id,
        period=c.period,
        revision=c.revision,
        figures=_shown(c.figures) if c.figures is not None else None,
        reason=c.reason,
        by=c.by,
        at=c.at,
        before=PeriodShown(
            revision=before.revision,
            event_id=before.event_id,
            reported_at=before.reported_at,
            figures=_shown(before.figures),
        )
        if before is not None
        else None,
    )


def corrections_router(correct: Correct, db: AsyncDatabase[Any], clock: Clock) -> APIRouter:
    router = APIRouter(tags=["progress"])

    @router.post(
        "/progress/commitments/{commitment_id}/periods/{period}/correction",
        response_model=CorrectionOut,
        responses={k: PROBLEMS[k] for k in (401, 403, 404, 413, 422)},
    )
    async def correct_period(
        commitment_id: CommitmentId,
        period: PeriodText,
        body: CorrectionIn,
        principal: CurrentPrincipal,
    ) -> CorrectionOut:
        """The secretariat sets one period's figures and revision, or clears the period,
        whatever was reported: how a forged or mistaken report is undone (a report at
        revision 1,000,000 would otherwise lock the period). Roll-ups and alerts follow; the
        correction is kept with what it replaced and listed to the commitment's partner."""
        principal.require_secretariat()
        figures = figures_of(body.figures) if body.figures is not None else None
        correction = Correction(
            correction_id=str(uuid4()),
            commitment_id=commitment_id,
            period=period,
            revision=body.revision if figures is not None else 0,
            figures=figures,
            reason=body.reason,
            by=principal.actor,
            at=clock(),
        )
        return correction_out(await correct(CorrectPeriod(correction)))

    @router.get(
        "/progress/commitments/{commitment_id}/corrections",
        response_model=Corrections,
        responses={k: PROBLEMS[k] for k in (401, 403, 404)},
    )
    async def list_corrections(
        commitment_id: CommitmentId, principal: CurrentPrincipal
    ) -> Corrections:
        """Every correction of the commitment's periods, oldest first: what it replaced, who
        made it, when and why. For the commitment's partner and the secretariat."""
        doc = await db["commitments"].find_one({"_id": commitment_id}, {"partner_id": 1})
        if doc is None:
            raise CommitmentNotFound(f"no commitment {commitment_id}", field="commitment_id")
        principal.require_partner_or_secretariat(doc["partner_id"])
        return Corrections(
            items=[correction_out(c) for c in await corrections_of(db, commitment_id)]
        )

    return router
