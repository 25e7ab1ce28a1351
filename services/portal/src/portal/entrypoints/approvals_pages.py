"""The secretariat's approval queue: organisations that registered and wait, to approve or
to reject with a reason (the registry records it in the partner's history)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from ..adapters.api import ApiError
from ..i18n import gettext_for
from ..rendering import flash, render
from ..session import CurrentUser, SignedIn, csrf_protect
from .choices import COUNTRY_NAMES, ORGANISATION_TYPES
from .forms import redirect

router = APIRouter(include_in_schema=False)


def _refused(request: Request, user: SignedIn) -> Response | None:
    if user.is_secretariat:
        return None
    _ = gettext_for(request)
    message = _("Only the secretariat approves organisations.")
    return render(request, "error.html", status_code=403, title=_("Not allowed"), message=message)


async def _page(
    request: Request, user: SignedIn, errors: dict[str, str] | None = None, status: int = 200
) -> Response:
    page: dict[str, Any] = await request.app.state.apis.registry.get(
        "/partners", token=user.token, params={"status": "pending", "limit": 200}
    )
    return render(
        request,
        "identity/approvals.html",
        status_code=status,
        pending=page.get("items", []),
        errors=errors or {},
        organisation_types=ORGANISATION_TYPES,
        countries=COUNTRY_NAMES,
    )


@router.get("/secretariat/approvals")
async def approvals_page(request: Request, user: CurrentUser) -> Response:
    return _refused(request, user) or await _page(request, user)


@router.post("/secretariat/approvals/{partner_id}", dependencies=[Depends(csrf_protect)])
async def decide(
    request: Request,
    user: CurrentUser,
    partner_id: str,
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    if refused := _refused(request, user):
        return refused
    _ = gettext_for(request)
    if decision not in ("approve", "reject"):
        return redirect("/secretariat/approvals")
    if decision == "reject" and len(reason.strip()) < 3:
        errors = {partner_id: _("Give the reason for the rejection (3 characters at least).")}
        return await _page(request, user, errors, 422)
    body = {"reason": reason.strip()} if reason.strip() else {}
    try:
        done = await request.app.state.apis.registry.post(
            f"/partners/{partner_id}/{decision}", token=user.token, json=body
        )
    except ApiError as exc:
        if exc.status not in (404, 409, 422):
            raise
        return await _page(request, user, {partner_id: exc.message}, exc.status)
    name = done.get("legal_name", partner_id)
    message = (
        _("%(name)s is approved.", name=name)
        if decision == "approve"
        else _("%(name)s is rejected.", name=name)
    )
    flash(request, message, "success")
    return redirect("/secretariat/approvals")
