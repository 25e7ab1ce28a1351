"""A person's own account: accepting an invitation (name and password), and the second
factor (TOTP: a QR code to scan, the secret as text for those who cannot, a code to confirm)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from markupsafe import Markup, escape

from ..adapters.api import ApiError
from ..i18n import gettext_for
from ..rendering import flash, render
from ..session import CurrentUser, csrf_protect, replace_user, sign_in
from .choices import ROLE_NAMES, password_problem
from .forms import redirect, seal, unseal

router = APIRouter(include_in_schema=False)
_TOTP = "pending_totp"


async def _invitation(request: Request, token: str) -> dict[str, Any] | Response:
    _ = gettext_for(request)
    try:
        found: dict[str, Any] = await request.app.state.apis.registry.get(f"/invitations/{token}")
    except ApiError as exc:
        if exc.status not in (404, 410):
            raise
        messages = {
            "invitation_expired": _("This invitation has expired. Ask for a new one."),
            "invitation_used": _("This invitation was already accepted. Sign in instead."),
        }
        message = messages.get(exc.code, _("There is no such invitation. Check the link."))
        return render(
            request,
            "error.html",
            status_code=exc.status,
            title=_("Invitation not valid"),
            message=message,
        )
    return found


def _accept_page(
    request: Request, invitation: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Response:
    return render(
        request,
        "identity/invitation.html",
        status_code=status,
        invitation=invitation,
        role_name=ROLE_NAMES.get(invitation.get("role", ""), invitation.get("role", "")),
        errors=errors,
        values={},
    )


@router.get("/invitations/{token}")
async def invitation_page(request: Request, token: str) -> Response:
    found = await _invitation(request, token)
    if isinstance(found, Response):
        return found
    return _accept_page(request, found, {})


@router.post("/invitations/{token}", dependencies=[Depends(csrf_protect)])
async def accept_invitation(
    request: Request,
    token: str,
    name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    _ = gettext_for(request)
    found = await _invitation(request, token)
    if isinstance(found, Response):
        return found
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Enter your name.")
    problem = password_problem(password, str(found.get("email", "")))
    if problem:
        errors["password"] = _(problem)
    if errors:
        return _accept_page(request, found, errors, 422)
    body = {"name": name.strip(), "password": password}
    try:
        signed = await request.app.state.apis.registry.post(
            f"/invitations/{token}/accept", json=body
        )
    except ApiError as exc:
        if exc.status != 422:
            raise
        field = exc.field if exc.field in ("name", "password") else "password"
        return _accept_page(request, found, {field: exc.message}, 422)
    user = sign_in(request, signed)
    flash(request, _("Welcome, %(name)s. Your account is ready.", name=user.name), "success")
    return redirect("/dashboard")


@router.get("/account")
async def account_page(request: Request, user: CurrentUser) -> Response:
    me = await request.app.state.apis.registry.get("/auth/me", token=user.token)
    return render(request, "identity/account.html", me=me, role_name=ROLE_NAMES.get(user.user_role))


def _qr(uri: str, title: str) -> Markup:
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=2)
    labelled = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(title)}" ', 1)
    return Markup(labelled)  # segno's own SVG of the registry's otpauth URI


def _totp_page(request: Request, pending: dict[str, Any], error: str = "") -> Response:
    _ = gettext_for(request)
    return render(
        request,
        "identity/totp.html",
        status_code=422 if error else 200,
        qr=_qr(pending["otpauth_uri"], _("QR code for your authenticator app")),
        secret=pending["secret"],
        error=error,
    )


@router.post("/account/totp", dependencies=[Depends(csrf_protect)])
async def start_totp(request: Request, user: CurrentUser) -> Response:
    pending = await request.app.state.apis.registry.post("/users/me/totp", token=user.token)
    seal(request, _TOTP, pending, seconds=900)
    return _totp_page(request, pending)


@router.post("/account/totp/confirm", dependencies=[Depends(csrf_protect)])
async def confirm_totp(
    request: Request, user: CurrentUser, code: Annotated[str, Form()] = ""
) -> Response:
    _ = gettext_for(request)
    pending = unseal(request, _TOTP)
    if pending is None:
        flash(request, _("The set-up took too long. Please start again."), "error")
        return redirect("/account")
    try:
        me = await request.app.state.apis.registry.post(
            "/users/me/totp/confirm", token=user.token, json={"code": code.replace(" ", "")}
        )
    except ApiError as exc:
        if exc.status != 422:
            raise
        return _totp_page(request, pending, _("This code is not right. Try the current one."))
    request.session.pop(_TOTP, None)
    replace_user(request, replace(user, totp_enabled=bool(me.get("totp_enabled"))))
    flash(request, _("Two-step sign-in is on."), "success")
    return redirect("/account")
