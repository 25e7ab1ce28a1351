"""The registry's lifecycle routes, one per TRANSITION: the secretariat approves, rejects,
suspends and reinstates partners; a partner (or the secretariat) withdraws; and the
secretariat purges a rejected registration (domain.identity).

Each route is `POST /partners/{partner_id}/<action>`; its docs say where it leads, read
off the domain's TRANSITIONS table."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Response

from pact_common.auth import Principal
from pact_common.http import problems
from pact_common.permissions import Permission

from ..domain import commands
from ..domain.model import TRANSITIONS, Status
from ..service_layer import handlers
from . import schemas as s
from .http import partner_doc
from .services import Svc, unit_of_work
from .trust import CurrentPrincipal, StepUp

router = APIRouter()


def _by_secretariat(principal: Principal, _: str) -> None:
    principal.require_secretariat()
    principal.require(Permission.MANAGE_PARTNERS)


def _by_partner_or_secretariat(principal: Principal, partner_id: str) -> None:
    principal.require_partner_or_secretariat(partner_id)
    principal.require(Permission.MANAGE_ORGANISATION)


#: action -> (its request body, who may ask, who that is in the docs). Only approving may
#: go without a reason; withdrawing, for good, needs the current API key (trust.StepUp).
Body = type[s.OptionalReason | s.StatusChange]
LIFECYCLE: dict[str, tuple[Body, Callable[[Principal, str], None], str]] = {
    "approve": (s.OptionalReason, _by_secretariat, "Secretariat"),
    "reject": (s.StatusChange, _by_secretariat, "Secretariat"),
    "suspend": (s.StatusChange, _by_secretariat, "Secretariat"),
    "reinstate": (s.StatusChange, _by_secretariat, "Secretariat"),
    "withdraw": (
        s.StatusChange,
        _by_partner_or_secretariat,
        "The secretariat, or the partner itself",
    ),
}


#: the transitions a token alone may not make
STEP_UP_ACTIONS = frozenset({"withdraw"})


def _lifecycle_route(action: str) -> None:
    """Adds `POST /partners/{partner_id}/<action>` for one of the registry's TRANSITIONS."""
    body_type, require, who = LIFECYCLE[action]
    allowed_from, to, _ = TRANSITIONS[action]
    start = "/".join(status.value for status in Status if status in allowed_from)

    async def route(
        partner_id: str, body: s.OptionalReason, svc: Svc, principal: CurrentPrincipal
    ) -> s.PartnerOut:
        require(principal, partner_id)
        cmd = commands.ChangePartnerStatus(partner_id, action, principal.actor, body.reason)
        await handlers.change_status(cmd, unit_of_work(svc), svc.clock)
        return s.PartnerOut.from_doc(await partner_doc(svc, partner_id), full=True)

    route.__annotations__["body"] = body_type  # what FastAPI reads and documents
    step_up = action in STEP_UP_ACTIONS
    router.add_api_route(
        f"/partners/{{partner_id}}/{action}",
        route,
        methods=["POST"],
        name=action,
        description=f"{who}: {start} -> {to.value}."
        + (" With the caller's current API key in X-Api-Key." if step_up else ""),
        dependencies=[StepUp] if step_up else None,
        response_model=s.PartnerOut,
        tags=["lifecycle"],
        responses=problems(401, 403, 404, 409, 413, 422),
    )


for _action in TRANSITIONS:
    _lifecycle_route(_action)


@router.post(
    "/partners/{partner_id}/purge",
    status_code=204,
    response_class=Response,
    tags=["lifecycle"],
    responses=problems(401, 403, 404, 409, 413, 422),
)
async def purge(
    partner_id: str, body: s.StatusChange, svc: Svc, principal: CurrentPrincipal
) -> Response:
    """Secretariat: removes a rejected registration (its audit trail keeps the purge). A
    rejected partner's name and identifiers are free already: only pending, active and
    suspended partners hold theirs."""
    principal.require_secretariat()
    principal.require(Permission.MANAGE_PARTNERS)
    cmd = commands.PurgePartner(partner_id, principal.actor, body.reason)
    await handlers.purge_partner(cmd, unit_of_work(svc), svc.clock)
    return Response(status_code=204)
