"""Partnership targets (the secretariat's): the common targets of each partnership and the
form to set one. Included by commitments_pages' router."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from ..adapters import commitments_api as commitments
from ..adapters.api import ApiError, Apis
from ..adapters.monitoring_api import partnerships
from ..i18n import gettext_for
from ..rendering import flash, render
from ..session import CurrentUser, SignedIn, csrf_protect
from .cell_forms import cells_of
from .commitment_forms import LABELS, options, target_body
from .work_forms import Form, api_errors, field_of, milestone_count, read

router = APIRouter(include_in_schema=False)


async def targets_page(
    request: Request, user: SignedIn, form: Form, status_code: int = 200
) -> Response:
    a: Apis = request.app.state.apis
    return render(
        request,
        "commitments/targets.html",
        status_code,
        targets=await commitments.targets(a.commitments, user.token, None),
        partnerships=[(p["id"], p["name"]) for p in await partnerships(a.registry, user.token)],
        form=form,
        options=options(gettext_for(request)),
        rows=milestone_count(form),
        may_set=user.is_secretariat and user.may_write,
        labels=LABELS,
    )


@router.get("/targets")
async def targets(request: Request, user: CurrentUser) -> Response:
    defaults = {"partnership_id": "digital-ecosystem", "metric": "people_trained"}
    return await targets_page(request, user, Form(defaults))


@router.post("/targets", dependencies=[Depends(csrf_protect)])
async def set_target(request: Request, user: CurrentUser) -> Response:
    _ = gettext_for(request)
    form = await read(request)
    body = target_body(form, _)
    if cells := cells_of(form, _):
        body["cells"] = cells
    if form.values.get("more_rows"):
        return await targets_page(request, user, Form(form.values))
    if form.errors:
        return await targets_page(request, user, form, 422)
    a: Apis = request.app.state.apis
    try:
        await commitments.set_target(a.commitments, user.token, body)
    except ApiError as exc:
        if exc.status not in (403, 409, 422):
            raise
        rows = form.values.get("_milestone_rows")
        api_errors(form, exc, lambda f: field_of(f, rows))
        return await targets_page(request, user, form, exc.status)
    flash(request, _("The partnership target is set."), "success")
    return RedirectResponse("/targets", status_code=303)
