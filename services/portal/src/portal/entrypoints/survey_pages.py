"""The annual survey (issue 17): a partner's answers to the Pact for Skills survey, pre-filled
by monitoring from what the organisation reported (GET /surveys/{partner}/{year}), with its
yearly declaration (stakeholders who joined networks, activities per charter principle: PUT
/declarations/...), downloads in CSV and JSON, and a button that confirms the answers as
read (their digest). The secretariat reads any partner's (`?partner=`)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ..adapters.api import ApiError, Apis
from ..dashboard.progress import METRICS
from ..i18n import gettext_for
from ..rendering import flash, render
from ..session import CurrentUser, SignedIn, csrf_protect
from .choices import PRINCIPLES
from .forms import redirect
from .work_forms import Form, read

router = APIRouter(include_in_schema=False)
Doc = dict[str, Any]
FIGURES = (*METRICS, "commitments", "commitments_with_progress")


def _partner(user: SignedIn, asked: str | None) -> str | None:
    return asked if user.is_secretariat else user.partner_id


def _year(text: str | None) -> int:
    try:
        year = int(text or "")
    except ValueError:
        return date.today().year
    return year if 2020 <= year <= 2100 else date.today().year


async def survey_page(
    request: Request, user: SignedIn, partner: str | None, year: int, form: Form, code: int = 200
) -> Response:
    _ = gettext_for(request)
    if partner is None:
        message = _("The survey is a partner's: choose the partner (?partner=...).")
        return render(request, "error.html", 404, title=_("Not found"), message=message)
    apis: Apis = request.app.state.apis
    survey = await apis.monitoring.get(f"/surveys/{partner}/{year}", token=user.token)
    labels = {**{k: _(v) for k, v in METRICS.items()}}
    labels |= {
        "commitments": _("Commitments"),
        "commitments_with_progress": _("Commitments with progress"),
    }
    figures = survey["figures"]
    return render(
        request,
        "survey/page.html",
        code,
        survey=survey,
        rows=[(labels[k], figures.get(k, 0)) for k in FIGURES],
        principles=[(k, _(v)) for k, v in PRINCIPLES.items()],
        query=f"?partner={partner}" if user.is_secretariat else "",
        may_answer=user.may_write and not user.is_secretariat,
        form=form,
    )


@router.get("/survey")
async def survey(request: Request, user: CurrentUser) -> Response:
    q = request.query_params
    return await survey_page(
        request, user, _partner(user, q.get("partner")), _year(q.get("year")), Form()
    )


@router.get("/survey/{year}.{kind}")
async def download(request: Request, user: CurrentUser, year: int, kind: str) -> Response:
    """The survey to download: the CSV monitoring writes, or its JSON."""
    partner = _partner(user, request.query_params.get("partner"))
    if partner is None or kind not in ("csv", "json"):
        return Response(status_code=404)
    apis: Apis = request.app.state.apis
    answer = await apis.monitoring.get(f"/surveys/{partner}/{year}", token=user.token)
    name = f"pact-survey-{year}"
    if kind == "json":
        body, media = json.dumps(answer, indent=2, ensure_ascii=False), "application/json"
    else:
        body, media = (
            await apis.monitoring.text(
                f"/surveys/{partner}/{year}", token=user.token, params={"format": "csv"}
            ),
            "text/csv; charset=utf-8",
        )
    disposition = {"Content-Disposition": f'attachment; filename="{name}.{kind}"'}
    return Response(body, media_type=media, headers=disposition)


def _declaration(form: Form, _: Any) -> Doc:
    body: Doc = {}
    joined = form.amount("stakeholders_joined_networks", _)
    if joined is not None:
        body["stakeholders_joined_networks"] = int(joined)
    for name in PRINCIPLES:
        text = form.text(f"{name}_activities")
        count = form.amount(f"{name}_count", _, required=False)
        if text:
            body[name] = {"activities": text, "count": None if count is None else int(count)}
    return body


@router.post("/survey/{year}/declaration", dependencies=[Depends(csrf_protect)])
async def declare(request: Request, user: CurrentUser, year: int) -> Response:
    _ = gettext_for(request)
    form = await read(request)
    partner = user.partner_id
    body = _declaration(form, _)
    if partner is None or form.errors:
        return await survey_page(request, user, partner, year, form, 422)
    apis: Apis = request.app.state.apis
    try:
        await apis.monitoring.request(
            "PUT", f"/declarations/{partner}/{year}", token=user.token, json=body
        )
    except ApiError as exc:
        if exc.status not in (403, 422):
            raise
        form.fail("stakeholders_joined_networks", exc.message)
        return await survey_page(request, user, partner, year, form, exc.status)
    flash(request, _("Your declaration is saved."), "success")
    return redirect(f"/survey?year={year}")


@router.post("/survey/{year}/confirmation", dependencies=[Depends(csrf_protect)])
async def confirm(request: Request, user: CurrentUser, year: int) -> Response:
    _ = gettext_for(request)
    form = await read(request)
    apis: Apis = request.app.state.apis
    try:
        await apis.monitoring.post(
            f"/surveys/{user.partner_id}/{year}/confirmation",
            token=user.token,
            json={"digest": form.text("digest")},
        )
    except ApiError as exc:
        if exc.status not in (403, 409, 422):
            raise
        flash(
            request,
            _("The answers changed since you read them: check them and confirm again."),
            "error",
        )
        return redirect(f"/survey?year={year}")
    flash(request, _("Your survey answers are confirmed."), "success")
    return redirect(f"/survey?year={year}")
