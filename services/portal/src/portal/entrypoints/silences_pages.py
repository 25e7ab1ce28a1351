"""Silences in the browser: the organisation's (the secretariat's: every) silences, active,
pending or expired; a form that silences alerts (rule, severity, commitment, partnership;
the secretariat also a partner) until an end, with a comment; expiring one now. A silenced
alert is still shown on the alerts page, and not sent by email or webhook until the silence
ends. A viewer sees the silences and is not offered the forms (monitoring refuses anyway)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from pact_contracts.alerts import AlertRule

from ..adapters.api import ApiError, Apis
from ..dashboard.progress import rule_label
from ..dashboard.summary import when
from ..i18n import Gettext, gettext_for
from ..rendering import flash, render
from ..session import CurrentUser, SignedIn, csrf_protect
from .work_forms import Form, read

router = APIRouter(include_in_schema=False)
Shown = Literal["active", "pending", "expired"]
SEVERITIES = ("critical", "warning", "info")
#: the ends offered: hours from now
DURATIONS = (1, 4, 24, 72, 168)
MATCHERS = ("rule", "severity", "partner_id", "commitment_id", "partnership_id")


async def silences_page(
    request: Request,
    user: SignedIn,
    show: Shown = "active",
    form: Form | None = None,
    status_code: int = 200,
) -> Response:
    a: Apis = request.app.state.apis
    found = await a.monitoring.get("/silences", token=user.token, params={"state": show})
    return render(
        request,
        "silences/list.html",
        status_code,
        silences=found.get("items", []),
        show=show,
        rules=[r.value for r in AlertRule],
        rule_label=rule_label,
        severities=SEVERITIES,
        durations=DURATIONS,
        when=when,
        may_silence=user.may_write,
        form=form or Form({"hours": "24"}),
    )


@router.get("/silences")
async def list_silences(
    request: Request, user: CurrentUser, show: Annotated[Shown, Query()] = "active"
) -> Response:
    return await silences_page(request, user, show)


def body_of(form: Form, user: SignedIn, _: Gettext, now: datetime) -> dict[str, Any] | None:
    """The API's body, or None with the form's errors set."""
    matchers = {k: v for k in MATCHERS if (v := form.text(k))}
    if not user.is_secretariat:
        matchers.pop("partner_id", None)
    if matchers.get("rule") not in (None, *[r.value for r in AlertRule]):
        form.fail("rule", _("Choose a rule from the list."))
    if matchers.get("severity") not in (None, *SEVERITIES):
        form.fail("severity", _("Choose a severity from the list."))
    hours = form.text("hours")
    if not hours.isdigit() or not 0 < int(hours) <= 24 * 365:
        form.fail("hours", _("Choose how long the silence lasts."))
    comment = form.text("comment")
    if not comment:
        form.fail("comment", _("Say why these alerts are silenced."))
    if form.errors:
        return None
    ends_at = now + timedelta(hours=int(hours))
    return {"matchers": matchers, "ends_at": ends_at.isoformat(), "comment": comment}


@router.post("/silences", dependencies=[Depends(csrf_protect)])
async def create_silence(request: Request, user: CurrentUser) -> Response:
    _ = gettext_for(request)
    form = await read(request)
    body = body_of(form, user, _, datetime.now(UTC))
    if body is None:
        return await silences_page(request, user, form=form, status_code=422)
    a: Apis = request.app.state.apis
    try:
        await a.monitoring.post("/silences", token=user.token, json=body)
    except ApiError as exc:
        if exc.status not in (403, 422):
            raise
        form.fail("comment", exc.message)
        return await silences_page(request, user, form=form, status_code=exc.status)
    flash(request, _("The silence is on: matching alerts are shown, not sent."), "success")
    return RedirectResponse("/silences", status_code=303)


@router.post("/silences/{silence_id}/expire", dependencies=[Depends(csrf_protect)])
async def expire_silence(request: Request, user: CurrentUser, silence_id: str) -> Response:
    _ = gettext_for(request)
    a: Apis = request.app.state.apis
    try:
        await a.monitoring.post(f"/silences/{silence_id}/expire", token=user.token)
    except ApiError as exc:
        if exc.status not in (403, 404, 409):
            raise
        flash(request, exc.message, "error")
        return RedirectResponse("/silences", status_code=303)
    flash(request, _("The silence has ended: alerts still firing are sent now."), "success")
    return RedirectResponse("/silences?show=expired", status_code=303)
