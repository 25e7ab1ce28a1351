"""Commitments in the browser: the organisation's list (the secretariat's: everyone's, with
legal names), pledging with milestones, one commitment with its progress and history,
amending and withdrawing it. Partnership targets are in targets_pages (this router includes
them). What the person's role may not do is not offered; the API refuses it anyway."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from ..adapters import commitments_api as commitments
from ..adapters.api import ApiError, Apis
from ..adapters.monitoring_api import legal_names, own_name, partnerships
from ..i18n import gettext_for
from ..rendering import flash, render
from ..session import CurrentUser, SignedIn, csrf_protect
from . import targets_pages
from .commitment_forms import CHECKBOXES, LABELS, amendment_body, options, pledge_body
from .work_forms import Form, api_errors, field_of, milestone_count, milestone_values, read

router = APIRouter(include_in_schema=False)
router.include_router(targets_pages.router)
CSRF = [Depends(csrf_protect)]


def apis(request: Request) -> Apis:
    found: Apis = request.app.state.apis
    return found


async def names_for(request: Request, user: SignedIn) -> dict[str, str]:
    if user.is_secretariat:
        return await legal_names(apis(request).registry, user.token)
    if user.partner_id is None:
        return {}
    return await own_name(apis(request).registry, user.token, user.partner_id)


def may_change(user: SignedIn, commitment: dict[str, Any]) -> bool:
    """Pledge, amend, withdraw: a writing role of the owner, or the secretariat."""
    mine = user.is_secretariat or user.partner_id == commitment["partner_id"]
    return user.may_write and mine and commitment["status"] == "active"


@router.get("/commitments")
async def list_page(
    request: Request, user: CurrentUser, after: str | None = None, status: str | None = None
) -> Response:
    found = await commitments.page(
        apis(request).commitments, user.token, after=after, status=status
    )
    return render(
        request,
        "commitments/list.html",
        page=found,
        names=await names_for(request, user),
        status=status or "",
        statuses=("active", "achieved", "missed", "suspended", "withdrawn"),
        labels=LABELS,
        may_pledge=user.may_write,
    )


async def pledge_form(
    request: Request, user: SignedIn, form: Form, status_code: int = 200
) -> Response:
    registry = apis(request).registry
    partners = await legal_names(registry, user.token) if user.is_secretariat else {}
    return render(
        request,
        "commitments/new.html",
        status_code,
        form=form,
        options=options(gettext_for(request)),
        partnerships=[(p["id"], p["name"]) for p in await partnerships(registry, user.token)],
        partners=sorted(partners.items(), key=lambda kv: kv[1].lower()),
        rows=milestone_count(form),
    )


@router.get("/commitments/new")
async def new_page(request: Request, user: CurrentUser) -> Response:
    defaults = {"partnership_id": "digital-ecosystem", "metric": "people_trained"}
    return await pledge_form(request, user, Form(defaults))


@router.post("/commitments/new", dependencies=CSRF)
async def pledge(request: Request, user: CurrentUser) -> Response:
    _ = gettext_for(request)
    form = await read(request, CHECKBOXES)
    body = pledge_body(form, _, for_partner=user.is_secretariat)
    if form.values.get("more_rows"):  # more milestone rows, nothing sent yet
        return await pledge_form(request, user, Form(form.values))
    if form.errors:
        return await pledge_form(request, user, form, 422)
    try:
        done = await commitments.pledge(apis(request).commitments, user.token, body)
    except ApiError as exc:
        if exc.status not in (403, 409, 422):
            raise
        rows = form.values.get("_milestone_rows")
        api_errors(form, exc, lambda f: field_of(f, rows))
        return await pledge_form(request, user, form, exc.status)
    flash(request, _("Your commitment is pledged."), "success")
    return RedirectResponse(f"/commitments/{done['commitment_id']}", status_code=303)


async def detail_page(
    request: Request,
    user: SignedIn,
    commitment_id: str,
    amend: Form | None = None,
    withdraw: Form | None = None,
    status_code: int = 200,
) -> Response:
    a = apis(request)
    found = await commitments.one(a.commitments, user.token, commitment_id)
    try:
        progress = await a.monitoring.get(
            f"/progress/commitments/{commitment_id}", token=user.token
        )
    except ApiError as exc:
        if exc.status not in (403, 404):
            raise
        progress = None  # nothing reported yet (monitoring has not heard of it)
    names = await names_for(request, user)
    amend = amend or Form(
        {"target_value": f"{found['target_value']:g}", "deadline": str(found["deadline"])}
        | milestone_values(found["milestones"])
    )
    return render(
        request,
        "commitments/detail.html",
        status_code,
        c=found,
        progress=progress,
        partner_name=names.get(found["partner_id"], found["partner_id"]),
        may_change=may_change(user, found),
        amend=amend,
        withdraw=withdraw or Form(),
        rows=milestone_count(amend),
        labels=LABELS,
    )


@router.get("/commitments/{commitment_id}")
async def detail(request: Request, user: CurrentUser, commitment_id: str) -> Response:
    return await detail_page(request, user, commitment_id)


@router.post("/commitments/{commitment_id}/amend", dependencies=CSRF)
async def amend(request: Request, user: CurrentUser, commitment_id: str) -> Response:
    _ = gettext_for(request)
    form = await read(request)
    current = await commitments.one(apis(request).commitments, user.token, commitment_id)
    body = amendment_body(form, _, current)
    if form.values.get("more_rows"):
        return await detail_page(request, user, commitment_id, amend=Form(form.values))
    if form.errors:
        return await detail_page(request, user, commitment_id, amend=form, status_code=422)
    if len(body) == 1:
        form.fail("form", _("Nothing was changed: change the target, deadline or milestones."))
        return await detail_page(request, user, commitment_id, amend=form, status_code=422)
    try:
        await commitments.amend(apis(request).commitments, user.token, commitment_id, body)
    except ApiError as exc:
        if exc.status not in (403, 409, 422):
            raise
        rows = form.values.get("_milestone_rows")
        api_errors(form, exc, lambda f: field_of(f, rows))
        return await detail_page(request, user, commitment_id, amend=form, status_code=exc.status)
    flash(request, _("The commitment is amended."), "success")
    return RedirectResponse(f"/commitments/{commitment_id}", status_code=303)


@router.post("/commitments/{commitment_id}/withdraw", dependencies=CSRF)
async def withdraw(request: Request, user: CurrentUser, commitment_id: str) -> Response:
    _ = gettext_for(request)
    form = await read(request)
    reason = form.required("withdraw_reason", _)
    if not form.errors:
        try:
            await commitments.withdraw(apis(request).commitments, user.token, commitment_id, reason)
        except ApiError as exc:
            if exc.status not in (403, 409, 422):
                raise
            api_errors(form, exc, lambda f: "withdraw_reason" if f == "reason" else field_of(f))
    if form.errors:
        return await detail_page(request, user, commitment_id, withdraw=form, status_code=422)
    flash(request, _("The commitment is withdrawn."), "success")
    return RedirectResponse(f"/commitments/{commitment_id}", status_code=303)
