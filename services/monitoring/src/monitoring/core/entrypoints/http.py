"""POST /progress, for partners without Kafka access: the report is decided at once, in
process, exactly as one from partners.progress-reported.v1 (same checks, same exactly-once
bookkeeping by event_id), so monitoring never publishes to a topic it reads."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Annotated, Self, TypeVar
from uuid import uuid4

from fastapi import APIRouter, Header, Request, status
from pydantic import BaseModel, Field, StrictFloat, StrictInt, model_validator
from pydantic_core import PydanticCustomError

from monitoring.core.adapters.report_codec import from_http
from monitoring.core.domain.commands import TakeReports
from monitoring.core.domain.intake import Taken
from pact_common.auth import CurrentPrincipal
from pact_common.errors import DomainError
from pact_common.http import PROBLEMS
from pact_common.inputs import IsoDateTime, UuidText
from pact_common.permissions import Permission
from pact_contracts import ProgressReported
from pact_contracts.envelope import utc_now
from pact_contracts.progress import FigureKind, report_figures

Take = Callable[[TakeReports], Awaitable[Counter[Taken]]]


_SAID = ProgressReported.model_fields


Figured = TypeVar("Figured", bound=BaseModel)


def breakdowns_sum_to_total(figures: Figured) -> Figured:
    """Each breakdown given sums to its figure (people_trained for by_level, ...), or the
    rule is named: breakdown_sum."""
    for figure in report_figures(ProgressReported):
        if figure.kind is not FigureKind.BREAKDOWN:
            continue
        breakdown = getattr(figures, figure.name, None)
        whole = getattr(figures, figure.of, 0) or 0
        if breakdown is not None and (total := sum(breakdown.values())) != whole:
            raise PydanticCustomError(
                "breakdown_sum",
                "{name} must sum to {of} ({trained}), but sums to {total}",
                {"name": figure.name, "of": figure.of, "trained": whole, "total": total},
            )
    return figures


class ProgressReport(ProgressReported):
    """A report as POST /progress reads it: the contract's, with each field spelled only as
    its schema says (the contract's model, which reads the topic, also takes 0 for
    occurred_at, "1" for schema_version, a UUID without its hyphens), its bounds all in the
    schema, and a breakdown that does not sum to people_trained refused by the rule's name,
    breakdown_sum. What it takes, the contract takes."""

    event_id: UuidText = Field(
        default_factory=uuid4,
        description=_SAID["event_id"].description,
        examples=_SAID["event_id"].examples,
    )
    schema_version: StrictInt = Field(
        default=1,
        ge=1,
        le=1,
        description=_SAID["schema_version"].description,
        examples=_SAID["schema_version"].examples,
    )
    #: The contract's own schema leaves this bound out (Pydantic writes `ge`/`le`, which JSON
    #: Schema does not know, beside a union), so it is said here as `minimum`/`maximum`.
    investment_eur: Annotated[StrictFloat, Field(ge=0, le=1e12)] | None = Field(
        default=None,
        description=_SAID["investment_eur"].description,
        examples=_SAID["investment_eur"].examples,
    )
    occurred_at: IsoDateTime = Field(
        default_factory=utc_now,
        description=_SAID["occurred_at"].description,
        examples=_SAID["occurred_at"].examples,
    )

    @model_validator(mode="after")
    def _breakdowns_sum_to_total(self) -> Self:
        """The contract's rule (this replaces its validator of the same name), named."""
        return breakdowns_sum_to_total(self)


class Accepted(BaseModel):
    event_id: str = Field(description="The report's event_id (generated when it had none).")


def intake_router(take: Take) -> APIRouter:
    """POST /progress, deciding each report with `take` (bootstrap's)."""
    router = APIRouter(tags=["progress"])

    @router.post(
        "/progress",
        status_code=status.HTTP_202_ACCEPTED,
        response_model=Accepted,
        responses={k: PROBLEMS[k] for k in (401, 403, 413, 422)},
    )
    async def report_progress(
        report: ProgressReport,
        request: Request,
        principal: CurrentPrincipal,
        pact_signature: Annotated[
            str | None, Header(description="Ed25519 signature (base64) of the report.")
        ] = None,
    ) -> Accepted:
        """For partners without Kafka access: the report is taken like one sent to
        partners.progress-reported.v1, and accepted or rejected the same way (see GET
        /progress/rejections). A report without event_id gets one; a signed report must carry
        its own."""
        principal.require_partner_or_secretariat(report.partner_id)
        principal.require(Permission.REPORT_PROGRESS)
        body = await request.body()
        document = json.loads(body)
        if "event_id" not in document:
            if pact_signature is not None:
                raise DomainError(
                    "a signed report must carry its event_id",
                    field="event_id",
                    code="event_id_required",
                )
            document = {"event_id": str(report.event_id), **document}
            body = json.dumps(document).encode()
        taken = from_http(body, pact_signature)
        await take(TakeReports([taken]))
        return Accepted(event_id=taken.event_id)

    return router
