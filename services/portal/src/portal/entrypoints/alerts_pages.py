"""Alerts in the browser: the organisation's (the secretariat's: every) alerts, firing
first by default, each with its acknowledgement; acknowledging one with a note. A viewer
sees them and is not offered the form (monitoring refuses it anyway)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from ..adapters.api import ApiError, Apis
from ..adapters.monitoring_api import acknowledge, alerts, legal_names
from ..dashboard.progress import rule_label
from ..dashboard.summary import when
from ..i18n import gettext_for
from ..rendering import flash, render
from ..session import CurrentUser, SignedIn, csrf_protect
from .work_forms import Form, read

router = APIRouter(include_in_schema=False)
Shown = Literal["firing", "resolved", "all"]


async def alerts_page(
    request: Request,
    user: SignedIn,
    show: Shown = "firing",
    offset: int = 0,
    form: Form | None = None,
    failed: str | None = None,
    status_code: int = 200,
) -> Response:
    a: Apis = request.app.state.apis
    found = await alerts(a.monitoring, user.token, None if show == "all" else show, offset)
    names = await legal_names(a.registry, user.token) if user.is_secretariat else {}
    return render(
        request,
        "alerts/list.html",
        status_code,
        page=found,
        show=show,
        offset=offset,
        names=names,
        rule_label=rule_label,
        when=when,
        may_acknowledge=user.may_write,
        form=form or Form(),
        failed=failed,
    )


@router.get("/alerts")
async def list_alerts(
    request: Request,
    user: CurrentUser,
    show: Shown = "firing",
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    return await alerts_page(request, user, show, offset)


@router.post("/alerts/{fingerprint}/acknowledge", dependencies=[Depends(csrf_protect)])
async def acknowledge_alert(request: Request, user: CurrentUser, fingerprint: str) -> Response:
    _ = gettext_for(request)
    form = await read(request)
    note = form.text("note")
    if not note:
        form.fail("note", _("Say why, and what is being done about it."))
        return await alerts_page(request, user, form=form, failed=fingerprint, status_code=422)
    a: Apis = request.app.state.apis
    try:
        await acknowledge(a.monitoring, user.token, fingerprint, note)
    except ApiError as exc:
        if exc.status not in (403, 404, 409, 422):
            raise
        form.fail("note", exc.message)
        return await alerts_page(
            request, user, form=form, failed=fingerprint, status_code=exc.status
        )
    flash(request, _("The alert is acknowledged."), "success")
    return RedirectResponse("/alerts", status_code=303)
