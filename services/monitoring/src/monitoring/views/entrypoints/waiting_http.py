"""`GET /progress/waiting`: reports monitoring holds back because the commitment (or the
partner) they name is not known yet, with when each stops waiting and is rejected. A
mistyped commitment id waits here, seen by the partner and the secretariat, not in silence."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from monitoring.views.adapters.waiting_views import WaitingViews
from pact_common.auth import CurrentPrincipal
from pact_common.http import PROBLEMS


class WaitingReport(BaseModel):
    event_id: str = Field(description="The report's event_id.")
    partner_id: str
    commitment_id: str = Field(description="The commitment it names (not known yet).")
    period: str = Field(examples=["2026-Q3"])
    revision: int
    awaiting: str = Field(description="What it waits for: commitment or partner.")
    parked_at: datetime = Field(description="When it arrived and was held back.")
    expires_at: datetime = Field(
        description="When it stops waiting: it is then rejected (unknown_commitment or "
        "unknown_partner) and listed at GET /progress/rejections."
    )
    people_trained: int | None = None

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> WaitingReport:
        report = doc.get("report", {})
        return cls(
            event_id=doc["_id"],
            partner_id=doc["partner_id"],
            commitment_id=doc["commitment_id"],
            period=report.get("period", ""),
            revision=report.get("revision", 1),
            awaiting=doc["awaiting"],
            parked_at=doc["parked_at"],
            expires_at=doc["expires_at"],
            people_trained=(report.get("figures") or {}).get("people_trained"),
        )


class WaitingPage(BaseModel):
    total: int = Field(description="Reports waiting that match the filters.")
    offset: int
    limit: int
    items: list[WaitingReport]


def waiting_router(views: WaitingViews) -> APIRouter:
    router = APIRouter(tags=["progress"])

    @router.get(
        "/progress/waiting",
        response_model=WaitingPage,
        responses={k: PROBLEMS[k] for k in (401, 403, 422)},
    )
    async def list_waiting(
        principal: CurrentPrincipal,
        partner_id: str | None = None,
        commitment_id: str | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    ) -> WaitingPage:
        """Reports waiting for an unknown commitment or partner, latest first, with when
        each expires: a partner sees its own, the secretariat all."""
        own = principal.scope(partner_id, may="list its own waiting reports")
        total, docs = await views.waiting(own, commitment_id, offset, limit)
        return WaitingPage(
            total=total,
            offset=offset,
            limit=limit,
            items=[WaitingReport.from_doc(d) for d in docs],
        )

    return router
