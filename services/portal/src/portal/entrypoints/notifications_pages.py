"""A person's email preferences for alerts (issue 16): per severity, at once (grouped), in a
daily digest, or not at all; read and set with the registry's /users/me/notifications."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from ..i18n import N_, gettext_for
from ..rendering import flash, render
from ..session import CurrentUser, csrf_protect
from .forms import redirect

router = APIRouter(include_in_schema=False)
SEVERITIES = (
    ("critical", N_("Critical alerts (a target missed)")),
    ("warning", N_("Warnings (at risk, a milestone missed, a report overdue)")),
    ("info", N_("Information (a target or milestone achieved)")),
)
MODES = (
    ("immediately", N_("At once")),
    ("daily", N_("In a daily digest")),
    ("off", N_("Never")),
)
Mode = Annotated[str, Form()]


@router.get("/account/notifications")
async def notifications_page(request: Request, user: CurrentUser) -> Response:
    current = await request.app.state.apis.registry.get("/users/me/notifications", token=user.token)
    return render(
        request, "notifications/form.html", current=current, severities=SEVERITIES, modes=MODES
    )


@router.post("/account/notifications", dependencies=[Depends(csrf_protect)])
async def set_notifications(
    request: Request,
    user: CurrentUser,
    critical: Mode = "immediately",
    warning: Mode = "immediately",
    info: Mode = "daily",
) -> Response:
    _ = gettext_for(request)
    allowed = {m for m, _label in MODES}
    chosen = {"critical": critical, "warning": warning, "info": info}
    body = {k: v for k, v in chosen.items() if v in allowed}
    await request.app.state.apis.registry.request(
        "PUT", "/users/me/notifications", token=user.token, json=body
    )
    flash(request, _("Your email preferences are saved."), "success")
    return redirect("/account/notifications")


@router.get("/alerts/{fingerprint}")
async def alert_link(fingerprint: str, user: CurrentUser) -> Response:
    """Where an alert email's link leads: the alerts page, every status shown (an alert's
    own page, if the alert pages get one, is included before this module and wins)."""
    return redirect("/alerts?show=all")
