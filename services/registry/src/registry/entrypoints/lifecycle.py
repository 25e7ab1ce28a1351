"""The registry's lifecycle routes: the secretariat approves, rejects, suspends and
reinstates partners; a partner (or the secretariat) withdraws. Each is one TRANSITION."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from fastapi import APIRouter

from pact_common.auth import Principal
from pact_common.http import PROBLEMS

from ..domain import commands
from ..service_layer import handlers
from . import schemas as s
from .http import CurrentPrincipal, Services, Svc, partner_doc, unit_of_work

Route = TypeVar("Route", bound=Callable[..., Awaitable[s.PartnerOut]])
router = APIRouter()


async def _transition(
    action: str, partner_id: str, reason: str | None, svc: Services, principal: Principal
) -> s.PartnerOut:
    cmd = commands.ChangePartnerStatus(partner_id, action, principal.subject, reason)
    await handlers.change_status(cmd, unit_of_work(svc), svc.clock)
    return s.PartnerOut.from_doc(await partner_doc(svc, partner_id), full=True)


def _lifecycle(action: str) -> Callable[[Route], Route]:
    """`POST /partners/{partner_id}/<action>`: one of the registry's TRANSITIONS."""
    return router.post(
        f"/partners/{{partner_id}}/{action}",
        response_model=s.PartnerOut,
        tags=["lifecycle"],
        responses={k: PROBLEMS[k] for k in (401, 403, 404, 409, 413, 422)},
    )


@_lifecycle("approve")
async def approve(
    partner_id: str, body: s.OptionalReason, svc: Svc, principal: CurrentPrincipal
) -> s.PartnerOut:
    """Secretariat: pending -> active."""
    principal.require_secretariat()
    return await _transition("approve", partner_id, body.reason, svc, principal)


@_lifecycle("reject")
async def reject(
    partner_id: str, body: s.StatusChange, svc: Svc, principal: CurrentPrincipal
) -> s.PartnerOut:
    """Secretariat: pending -> rejected."""
    principal.require_secretariat()
    return await _transition("reject", partner_id, body.reason, svc, principal)


@_lifecycle("suspend")
async def suspend(
    partner_id: str, body: s.StatusChange, svc: Svc, principal: CurrentPrincipal
) -> s.PartnerOut:
    """Secretariat: active -> suspended."""
    principal.require_secretariat()
    return await _transition("suspend", partner_id, body.reason, svc, principal)


@_lifecycle("reinstate")
async def reinstate(
    partner_id: str, body: s.StatusChange, svc: Svc, principal: CurrentPrincipal
) -> s.PartnerOut:
    """Secretariat: suspended -> active."""
    principal.require_secretariat()
    return await _transition("reinstate", partner_id, body.reason, svc, principal)


@_lifecycle("withdraw")
async def withdraw(
    partner_id: str, body: s.StatusChange, svc: Svc, principal: CurrentPrincipal
) -> s.PartnerOut:
    """The secretariat, or the partner itself: pending/active/suspended -> withdrawn."""
    principal.require_partner_or_secretariat(partner_id)
    return await _transition("withdraw", partner_id, body.reason, svc, principal)
