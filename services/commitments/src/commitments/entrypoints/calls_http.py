"""Calls for pledges (issue 17): the secretariat asks every partner to pledge for the cells
of a split partnership target that members' commitments leave uncovered
(`POST /partnership-targets/{target_id}/calls`); every active partner reads them
(`GET /calls`, newest first), as it reads the targets."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel, Field

from pact_common.http import Limit, Offset, Page, Reason, problems
from pact_common.paging import After, cursor, parse_cursor

from ..adapters.calls import CALL_ORDER, call_doc
from ..domain import commands
from ..service_layer import handlers
from . import schemas as s
from .http import CurrentPrincipal, Svc, _actor, _require_active, _uow

router = APIRouter(tags=["partnership targets"])
TargetId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class CallIn(s._Body):
    message: Reason = Field(
        description="What the secretariat asks of the partners.",
        examples=["Advanced training in Romania has no pledge yet: who can help?"],
    )
    cells: list[s.CellIn] = Field(
        min_length=1,
        max_length=500,
        description="The target's cells called for, each with what is still to be pledged "
        "in it (no more than the cell needs).",
    )


class CallOut(BaseModel):
    id: str
    target_id: str
    partnership_id: str
    title: str = Field(description="The target's title.")
    metric: str
    cells: list[s.CellOut]
    message: str
    published_at: datetime

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> CallOut:
        return cls.model_validate(doc | {"id": doc["_id"]})


class CallPage(Page):
    items: list[CallOut]


@router.post(
    "/partnership-targets/{target_id}/calls",
    status_code=status.HTTP_201_CREATED,
    response_model=CallOut,
    responses=problems(401, 403, 404, 413, 422),
)
async def call_for_pledges(
    target_id: TargetId, body: CallIn, response: Response, svc: Svc, principal: CurrentPrincipal
) -> CallOut:
    """Secretariat: ask every partner to pledge for cells of a split target."""
    cells = tuple(s.cell_of(c) for c in body.cells)
    cmd = commands.CallForPledges(_actor(principal), target_id, cells, body.message)
    call = await handlers.call_for_pledges(cmd, _uow(svc), svc.clock)
    response.headers["Location"] = "/calls"
    return CallOut.from_doc(call_doc(call))


@router.get("/calls", response_model=CallPage, responses=problems(401, 403, 422))
async def list_calls(
    svc: Svc,
    principal: CurrentPrincipal,
    partnership: Annotated[str | None, Query(max_length=64)] = None,
    offset: Offset = 0,
    limit: Limit = 50,
    after: After = None,
) -> CallPage:
    """The calls for pledges, newest first: for every active partner to see."""
    await _require_active(svc, principal)
    start = parse_cursor(after) if after else None
    total, docs = await svc.views.calls(partnership, offset, limit, start)
    more = cursor(docs[-1], CALL_ORDER) if len(docs) == limit else None
    items = [CallOut.from_doc(d) for d in docs]
    return CallPage(total=total, offset=offset, limit=limit, items=items, next=more)
