"""Signing in and out, the start page and the language switch."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from ..adapters.api import ApiError
from ..i18n import LANGUAGES, gettext_for
from ..rendering import flash, render
from ..session import OptionalUser, csrf_protect, sign_in, sign_out
from .forms import redirect, safe_next, seal, unseal

router = APIRouter(include_in_schema=False)
_PENDING = "pending_sign_in"


@router.get("/")
async def home(user: OptionalUser) -> Response:
    return redirect("/dashboard" if user is not None else "/sign-in")


@router.get("/sign-in")
async def sign_in_page(request: Request, user: OptionalUser, next: str = "/") -> Response:
    if user is not None:
        return redirect(safe_next(next, "/dashboard"))
    return _form(request, next=next)


def _form(
    request: Request, *, next: str, email: str = "", error: str = "", status: int = 200
) -> Response:
    settings = request.app.state.settings
    return render(
        request,
        "identity/sign_in.html",
        status_code=status,
        next=safe_next(next, "/dashboard"),
        email=email,
        error=error,
        oidc=settings.oidc_configured,
        oidc_label=settings.oidc_label,
    )


@router.post("/sign-in", dependencies=[Depends(csrf_protect)])
async def sign_in_submit(
    request: Request,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/dashboard",
) -> Response:
    _ = gettext_for(request)
    body = {"email": email.strip(), "password": password}
    try:
        token = await request.app.state.apis.registry.post("/auth/password", json=body)
    except ApiError as exc:
        if exc.code == "totp_required":
            seal(request, _PENDING, {**body, "next": next})
            return redirect("/sign-in/code")
        if exc.status in (401, 422):
            message = _("The email or the password is not right.")
            return _form(request, next=next, email=email, error=message, status=401)
        raise
    return _signed_in(request, token, next)


def _signed_in(request: Request, token: dict[str, Any], next: str) -> Response:
    _ = gettext_for(request)
    user = sign_in(request, token)
    flash(request, _("Signed in as %(name)s.", name=user.name), "success")
    return redirect(safe_next(next, "/dashboard"))


@router.get("/sign-in/code")
async def code_page(request: Request) -> Response:
    if unseal(request, _PENDING) is None:
        return redirect("/sign-in")
    return render(request, "identity/sign_in_code.html", error="")


@router.post("/sign-in/code", dependencies=[Depends(csrf_protect)])
async def code_submit(request: Request, totp_code: Annotated[str, Form()] = "") -> Response:
    _ = gettext_for(request)
    pending = unseal(request, _PENDING)
    if pending is None:
        flash(request, _("The sign-in took too long. Please start again."), "error")
        return redirect("/sign-in")
    body = {"email": pending["email"], "password": pending["password"], "totp_code": totp_code}
    try:
        token = await request.app.state.apis.registry.post(
            "/auth/password", json={**body, "totp_code": totp_code.replace(" ", "")}
        )
    except ApiError as exc:
        if exc.status in (401, 422) and exc.code != "invalid_credentials":
            error = _("This code is not right. Enter the current code from your app.")
            return render(request, "identity/sign_in_code.html", status_code=401, error=error)
        raise
    request.session.pop(_PENDING, None)
    return _signed_in(request, token, str(pending.get("next") or "/dashboard"))


@router.post("/sign-out", dependencies=[Depends(csrf_protect)])
async def sign_out_submit(request: Request) -> Response:
    _ = gettext_for(request)
    sign_out(request)
    flash(request, _("You are signed out."), "success")
    return redirect("/sign-in")


@router.post("/lang", dependencies=[Depends(csrf_protect)])
async def switch_language(
    request: Request,
    lang: Annotated[str, Form()] = "en",
    next: Annotated[str, Form()] = "/",
) -> Response:
    if lang in LANGUAGES:
        request.session["lang"] = lang
    return redirect(safe_next(next))
