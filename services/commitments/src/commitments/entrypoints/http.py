"""The commitments HTTP API. Thin: parse, build a command, call a handler, shape the answer.

A partner token acts on the partner's own commitments; a secretariat token on any, and
on partnership targets. Partners the registry suspended, withdrew or rejected are refused,
and so are tokens issued before the partner's credentials changed and partners commitments
has not heard of (pact_common.auth.require_standing); only active partners read the
partnership targets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status

from pact_common.auth import Principal, Standing, current_principal, require_standing
from pact_common.clock import Clock
from pact_common.http import Limit, Offset, problems
from pact_common.inputs import IsoDate
from pact_common.paging import After, cursor, parse_cursor
from pact_common.permissions import Permission
from pact_contracts.vocabulary import CommitmentStatus, CountryCode, SkillLevel, Specialisation

from ..adapters.repository import LIST_ORDER
from ..adapters.views import TARGET_ORDER, CommitmentFilter, CommitmentViews
from ..domain import commands
from ..domain.errors import CommitmentNotFound, PartnerRefused, RuleBroken
from ..domain.partners import ANSWERED, PartnerStatus
from ..domain.values import Actor, Amendment, Milestone
from ..service_layer import handlers
from ..service_layer.unit_of_work import UnitOfWork
from . import schemas as s


@dataclass
class Services:
    """What the routes need; built by bootstrap."""

    uow: Any  # () -> UnitOfWork
    views: CommitmentViews
    clock: Clock


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


async def _in_good_standing(request: Request, principal: Principal) -> None:
    if principal.partner_id is None:
        return
    partner = await services(request).views.partner(principal.partner_id)
    known = Standing(partner.status, partner.credential_version) if partner else None
    require_standing(principal, known, answered=ANSWERED)


async def _require_active(svc: Services, principal: Principal) -> None:
    """Only active partners (and the secretariat) read beyond their own commitments."""
    if principal.partner_id is None:
        return
    partner = await svc.views.partner(principal.partner_id)
    if partner is None or partner.status is not PartnerStatus.ACTIVE:
        status = partner.status.value if partner else "unknown"
        raise PartnerRefused(f"partner {principal.partner_id} is {status}", field="authorization")


CurrentPrincipal = Annotated[Principal, Depends(current_principal(_in_good_standing))]
Svc = Annotated[Services, Depends(services)]

router = APIRouter()


def _uow(svc: Services) -> UnitOfWork:
    uow: UnitOfWork = svc.uow()
    return uow


def _actor(principal: Principal) -> Actor:
    """Who asks, named as audit trails name it (a person's email; a key's subject)."""
    return Actor(principal.actor, None if principal.is_secretariat else principal.partner_id)


def _milestones(items: list[s.MilestoneIn]) -> tuple[Milestone, ...]:
    return tuple(Milestone(m.due_date, m.value) for m in items)


async def _detail(svc: Services, commitment_id: str, principal: Principal) -> s.CommitmentDetail:
    doc = await svc.views.commitment(commitment_id)
    if doc is None:
        raise CommitmentNotFound(commitment_id)
    _actor(principal).require_may_act_for(doc["partner_id"])
    history = [s.HistoryEntry.model_validate(h) for h in await svc.views.history(commitment_id)]
    return s.CommitmentDetail.model_validate(doc | {"id": doc["_id"], "history": history})


@router.post(
    "/commitments",
    status_code=status.HTTP_201_CREATED,
    response_model=s.Pledged,
    tags=["commitments"],
    responses=problems(401, 403, 413, 422),
)
async def pledge(
    body: s.PledgeIn, response: Response, svc: Svc, principal: CurrentPrincipal
) -> s.Pledged:
    """A partner pledges a commitment (the secretariat may pledge for a partner)."""
    principal.require(Permission.PLEDGE)
    partner_id = body.partner_id or principal.partner_id
    if partner_id is None:
        raise RuleBroken("required", "partner_id", "the secretariat must name the partner_id")
    cmd = commands.PledgeCommitment(
        actor=_actor(principal),
        partner_id=partner_id,
        partnership_id=body.partnership_id,
        title=body.title,
        description=body.description,
        principle=body.principle.value,
        action_type=body.action_type.value,
        specialisations=tuple(x.value for x in body.specialisations),
        levels=tuple(x.value for x in body.levels),
        countries=tuple(body.countries),
        metric=body.metric.value,
        target_value=body.target_value,
        baseline=body.baseline,
        start_date=body.start_date,
        deadline=body.deadline,
        milestones=_milestones(body.milestones),
        cadence=body.cadence.value,
        grace_days=body.grace_days,
    )
    commitment = await handlers.pledge_commitment(cmd, _uow(svc), svc.clock)
    response.headers["Location"] = f"/commitments/{commitment.id}"
    return s.Pledged(
        commitment_id=commitment.id, version=commitment.version, status=commitment.status.value
    )


@router.get(
    "/commitments",
    response_model=s.CommitmentPage,
    tags=["commitments"],
    responses=problems(401, 403, 422),
)
async def list_commitments(
    svc: Svc,
    principal: CurrentPrincipal,
    partner: str | None = None,
    partnership: str | None = None,
    status_: Annotated[CommitmentStatus | None, Query(alias="status")] = None,
    country: CountryCode | None = None,
    level: SkillLevel | None = None,
    specialisation: Specialisation | None = None,
    deadline_from: IsoDate | None = None,
    deadline_to: IsoDate | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
    after: After = None,
) -> s.CommitmentPage:
    """Commitments in pledge order (stable). A partner sees its own only. Page on with
    `after` (the `next` of a page): as fast on the last page as on the first."""
    actor = _actor(principal)
    if actor.partner_id is not None:
        partner = partner or actor.partner_id
        actor.require_may_act_for(partner)
    f = CommitmentFilter(
        partner=partner,
        partnership=partnership,
        status=status_.value if status_ else None,
        country=country,
        level=level.value if level else None,
        specialisation=specialisation.value if specialisation else None,
        deadline_from=deadline_from,
        deadline_to=deadline_to,
    )
    start = parse_cursor(after) if after else None
    total, docs = await svc.views.commitments(f, offset, limit, start)
    items = [s.CommitmentOut.from_doc(d) for d in docs]
    more = cursor(docs[-1], LIST_ORDER) if len(docs) == limit else None
    return s.CommitmentPage(total=total, offset=offset, limit=limit, items=items, next=more)


@router.get(
    "/commitments/{commitment_id}",
    response_model=s.CommitmentDetail,
    tags=["commitments"],
    responses=problems(401, 403, 404),
)
async def get_commitment(
    commitment_id: str, svc: Svc, principal: CurrentPrincipal
) -> s.CommitmentDetail:
    """The commitment now, and every earlier version with who changed what, when and why."""
    return await _detail(svc, commitment_id, principal)


@router.post(
    "/commitments/{commitment_id}/amendments",
    response_model=s.CommitmentDetail,
    tags=["commitments"],
    responses=problems(401, 403, 404, 409, 413, 422),
)
async def amend(
    commitment_id: str, body: s.AmendmentIn, svc: Svc, principal: CurrentPrincipal
) -> s.CommitmentDetail:
    """Change the target value, deadline or milestones, with a reason; a new version."""
    amendment = Amendment(
        reason=body.reason,
        target_value=body.target_value,
        deadline=body.deadline,
        milestones=None if body.milestones is None else _milestones(body.milestones),
    )
    principal.require(Permission.PLEDGE)
    cmd = commands.AmendCommitment(_actor(principal), commitment_id, amendment)
    await handlers.amend_commitment(cmd, _uow(svc), svc.clock)
    return await _detail(svc, commitment_id, principal)


@router.post(
    "/commitments/{commitment_id}/withdraw",
    response_model=s.CommitmentDetail,
    tags=["commitments"],
    responses=problems(401, 403, 404, 409, 413, 422),
)
async def withdraw(
    commitment_id: str, body: s.WithdrawalIn, svc: Svc, principal: CurrentPrincipal
) -> s.CommitmentDetail:
    principal.require(Permission.PLEDGE)
    cmd = commands.WithdrawCommitment(_actor(principal), commitment_id, body.reason)
    await handlers.withdraw_commitment(cmd, _uow(svc), svc.clock)
    return await _detail(svc, commitment_id, principal)


@router.post(
    "/partnership-targets",
    status_code=status.HTTP_201_CREATED,
    response_model=s.TargetSet,
    tags=["partnership targets"],
    responses=problems(401, 403, 413, 422),
)
async def set_target(
    body: s.TargetIn, response: Response, svc: Svc, principal: CurrentPrincipal
) -> s.TargetSet:
    """Secretariat: a common target of a partnership (its progress is monitoring's)."""
    cmd = commands.SetPartnershipTarget(
        actor=_actor(principal),
        partnership_id=body.partnership_id,
        title=body.title,
        metric=body.metric.value,
        target_value=body.target_value,
        baseline=body.baseline,
        start_date=body.start_date,
        deadline=body.deadline,
        milestones=_milestones(body.milestones),
        cells=tuple(s.cell_of(c) for c in body.cells),
    )
    target = await handlers.set_partnership_target(cmd, _uow(svc), svc.clock)
    response.headers["Location"] = f"/partnership-targets?partnership={target.partnership_id}"
    return s.TargetSet(target_id=target.id, version=target.version)


@router.get(
    "/partnership-targets",
    response_model=s.TargetPage,
    tags=["partnership targets"],
    responses=problems(401, 403, 422),
)
async def list_targets(
    svc: Svc,
    principal: CurrentPrincipal,
    partnership: str | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
    after: After = None,
) -> s.TargetPage:
    """Partnership targets in the order they were set; for every active partner to see."""
    await _require_active(svc, principal)
    start = parse_cursor(after) if after else None
    total, docs = await svc.views.targets(partnership, offset, limit, start)
    items = [s.TargetOut.from_doc(d) for d in docs]
    more = cursor(docs[-1], TARGET_ORDER) if len(docs) == limit else None
    return s.TargetPage(total=total, offset=offset, limit=limit, items=items, next=more)
