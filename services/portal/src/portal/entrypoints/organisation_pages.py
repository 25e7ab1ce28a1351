"""The organisation's profile and webhook. Setting the webhook is a step-up change: the
coordinator gives the password again (and the code, with two-step sign-in on), and the
registry sees a token from a sign-in of a moment ago."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ..adapters.api import ApiError
from ..i18n import gettext_for
from ..rendering import flash, render
from ..session import CurrentUser, SignedIn, csrf_protect, sign_in, sign_out
from .choices import COUNTRY_NAMES, ORGANISATION_TYPES, PARTNER_STATUSES, SIZE_CLASSES
from .forms import field_errors, redirect

router = APIRouter(include_in_schema=False)

REQUIRED = ("legal_name", "contact_name", "contact_email")
OPTIONAL = ("website", "vat")


async def _partner(request: Request, user: SignedIn) -> dict[str, Any]:
    found: dict[str, Any] = await request.app.state.apis.registry.get(
        f"/partners/{user.partner_id}", token=user.token
    )
    return found


def _page(
    request: Request,
    partner: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    webhook_errors: dict[str, str] | None = None,
    webhook_secret: str | None = None,
    withdraw_errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    response = render(
        request,
        "identity/organisation.html",
        status_code=status,
        partner=partner,
        errors=errors or {},
        webhook_errors=webhook_errors or {},
        withdraw_errors=withdraw_errors or {},
        webhook_secret=webhook_secret,
        countries=COUNTRY_NAMES,
        organisation_types=ORGANISATION_TYPES,
        size_classes=SIZE_CLASSES,
        statuses=PARTNER_STATUSES,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/organisation")
async def organisation_page(request: Request, user: CurrentUser) -> Response:
    if user.partner_id is None:
        return redirect("/secretariat/approvals")
    return _page(request, await _partner(request, user))


@router.post("/organisation", dependencies=[Depends(csrf_protect)])
async def update_profile(request: Request, user: CurrentUser) -> Response:
    _ = gettext_for(request)
    data = await request.form()
    changes: dict[str, Any] = {}
    for name in REQUIRED:
        if value := str(data.get(name) or "").strip():
            changes[name] = value
    for name in OPTIONAL:
        changes[name] = str(data.get(name) or "").strip() or None
    if countries := [str(c) for c in data.getlist("countries") if str(c) in COUNTRY_NAMES]:
        changes["countries"] = countries
    try:
        await request.app.state.apis.registry.patch(
            f"/partners/{user.partner_id}", token=user.token, json=changes
        )
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        partner = {**await _partner(request, user), **changes}
        errors = field_errors(exc, {*REQUIRED, *OPTIONAL, "countries"})
        return _page(request, partner, errors=errors, status=exc.status)
    flash(request, _("The organisation's profile is saved."), "success")
    return redirect("/organisation")


async def step_up(request: Request, user: SignedIn, password: str, code: str) -> SignedIn:
    """A fresh token from the password (and code) again; raises ApiError when wrong."""
    body: dict[str, Any] = {"email": user.email, "password": password}
    if code.strip():
        body["totp_code"] = code.replace(" ", "")
    token = await request.app.state.apis.registry.post("/auth/password", json=body)
    return sign_in(request, token)


@router.post("/organisation/webhook", dependencies=[Depends(csrf_protect)])
async def set_webhook(request: Request, user: CurrentUser) -> Response:
    _ = gettext_for(request)
    data = await request.form()
    url = str(data.get("webhook_url") or "").strip() or None
    try:
        fresh = await step_up(
            request, user, str(data.get("password") or ""), str(data.get("totp_code") or "")
        )
    except ApiError as exc:
        if exc.status != 401:
            raise
        errors = {"password": _("The password (or the code) is not right.")}
        partner = await _partner(request, user)
        return _page(request, partner, webhook_errors=errors, status=401)
    try:
        updated = await request.app.state.apis.registry.patch(
            f"/partners/{fresh.partner_id}", token=fresh.token, json={"webhook_url": url}
        )
    except ApiError as exc:
        if exc.status not in (403, 409, 422):
            raise
        errors = field_errors(exc, {"webhook_url", "password"}, "webhook_url")
        return _page(request, await _partner(request, fresh), webhook_errors=errors, status=422)
    flash(request, _("The webhook is saved."), "success")
    return _page(request, updated, webhook_secret=updated.get("webhook_secret"))


@router.post("/organisation/withdraw", dependencies=[Depends(csrf_protect)])
async def withdraw(request: Request, user: CurrentUser) -> Response:
    """The organisation leaves the partnership for good: a reason and the password again.
    Its tokens stop working at once, so the person is signed out."""
    _ = gettext_for(request)
    data = await request.form()
    reason = str(data.get("reason") or "").strip()
    if len(reason) < 3:
        errors = {"reason": _("Say why the organisation withdraws (3 characters at least).")}
        return _page(request, await _partner(request, user), withdraw_errors=errors, status=422)
    try:
        fresh = await step_up(
            request,
            user,
            str(data.get("withdraw_password") or ""),
            str(data.get("withdraw_totp_code") or ""),
        )
    except ApiError as exc:
        if exc.status != 401:
            raise
        errors = {"withdraw_password": _("The password (or the code) is not right.")}
        partner = await _partner(request, user)
        return _page(request, partner, withdraw_errors=errors, status=401)
    await request.app.state.apis.registry.post(
        f"/partners/{fresh.partner_id}/withdraw", token=fresh.token, json={"reason": reason}
    )
    sign_out(request)
    flash(request, _("The organisation has withdrawn from the partnership."), "success")
    return redirect("/sign-in")
