"""The coverage of a split partnership target (issue 17), the secretariat's: per cell, what
member commitments pledge against what is needed and what they reported, and the uncovered
cells, for which the secretariat publishes a call for pledges (`/targets/{id}/coverage`).
Every signed-in partner reads the calls (`/calls`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ..adapters import commitments_api as commitments
from ..adapters.api import ApiClient, ApiError, Apis
from ..adapters.monitoring_api import commitment_progress
from ..dashboard.charts import amount
from ..dashboard.coverage import CellCoverage, coverage
from ..dashboard.progress import METRICS, unit
from ..i18n import N_, Gettext, gettext_for
from ..rendering import flash, render
from ..session import CurrentUser, SignedIn, csrf_protect
from .forms import redirect
from .work_forms import Form, read

router = APIRouter(include_in_schema=False)
Doc = dict[str, Any]
NAMES = {
    "basic": N_("Basic"),
    "intermediate": N_("Intermediate"),
    "advanced": N_("Advanced"),
    "expert": N_("Expert"),
    "female": N_("Female"),
    "male": N_("Male"),
    "non_binary": N_("Non-binary"),
    "undisclosed": N_("Undisclosed"),
}


def cell_label(cell: Doc | CellCoverage, _: Gettext) -> str:
    """`Advanced, RO` (the cell's level, country and gender, those it names)."""
    get = cell.get if isinstance(cell, dict) else lambda k: getattr(cell, k)
    parts = [get("level"), get("country"), get("gender")]
    return ", ".join(_(NAMES[p]) if p in NAMES else str(p) for p in parts if p)


def cell_value(cell: CellCoverage) -> str:
    """What a call's checkbox sends: `level|country|gender|still to pledge`."""
    return "|".join(
        [cell.level or "", cell.country or "", cell.gender or "", f"{cell.shortfall:g}"]
    )


async def _every(api: ApiClient, token: str, path: str, params: Doc) -> list[Doc]:
    out: list[Doc] = []
    after = None
    for _ in range(10):
        found = await api.get(path, token=token, params=params | {"limit": 200, "after": after})
        out.extend(found["items"])
        if not (after := found.get("next")):
            break
    return out


async def _target(apis: Apis, user: SignedIn, target_id: str) -> Doc | None:
    targets = await commitments.targets(apis.commitments, user.token, None)
    return next((t for t in targets if t["id"] == target_id), None)


async def coverage_page(
    request: Request, user: SignedIn, target_id: str, form: Form, status_code: int = 200
) -> Response:
    _ = gettext_for(request)
    if not user.is_secretariat:
        message = _("The coverage of a target is the secretariat's to see.")
        return render(request, "error.html", 403, title=_("Not allowed"), message=message)
    apis: Apis = request.app.state.apis
    target = await _target(apis, user, target_id)
    if target is None:
        message = _("There is no such partnership target.")
        return render(request, "error.html", 404, title=_("Not found"), message=message)
    partnership = target["partnership_id"]
    pledged = await _every(
        apis.commitments, user.token, "/commitments", {"partnership": partnership}
    )
    progress = await commitment_progress(
        apis.monitoring, user.token, partner=None, partnership=partnership
    )
    achieved = {p["commitment_id"]: float(p["achieved"]) for p in progress}
    cells = coverage(target, pledged, achieved)
    calls = await _every(apis.commitments, user.token, "/calls", {"partnership": partnership})
    u = unit(target["metric"])
    return render(
        request,
        "coverage/page.html",
        status_code,
        target=target,
        metric=_(METRICS.get(target["metric"], target["metric"])),
        cells=[(c, cell_label(c, _), cell_value(c)) for c in cells],
        uncovered=[(c, cell_label(c, _)) for c in cells if c.uncovered],
        calls=[c for c in calls if c["target_id"] == target_id],
        label=lambda cell: cell_label(cell, _),
        amount=lambda value: amount(float(value), u),
        form=form,
        may_call=user.may_write,
    )


@router.get("/targets/{target_id}/coverage")
async def target_coverage(request: Request, user: CurrentUser, target_id: str) -> Response:
    return await coverage_page(request, user, target_id, Form())


def _cells(chosen: list[str]) -> list[Doc]:
    out: list[Doc] = []
    for text in chosen:
        level, country, gender, value = [*text.split("|"), "", "", ""][:4]
        try:
            needed = float(value)
        except ValueError:
            continue
        cell: Doc = {"level": level or None, "country": country or None, "gender": gender or None}
        out.append(cell | {"value": needed})
    return out


@router.post("/targets/{target_id}/calls", dependencies=[Depends(csrf_protect)])
async def publish_call(request: Request, user: CurrentUser, target_id: str) -> Response:
    _ = gettext_for(request)
    form = await read(request, lists=("cell",))
    message = form.required("message", _)
    chosen = form.values.get("cell") or []
    cells = _cells(chosen if isinstance(chosen, list) else [chosen])
    if not cells:
        form.fail("cell", _("Choose at least one cell."))
    if form.errors:
        return await coverage_page(request, user, target_id, form, 422)
    apis: Apis = request.app.state.apis
    body = {"message": message, "cells": cells}
    try:
        await apis.commitments.post(
            f"/partnership-targets/{target_id}/calls", token=user.token, json=body
        )
    except ApiError as exc:
        if exc.status not in (403, 404, 422):
            raise
        form.fail("message", exc.message)
        return await coverage_page(request, user, target_id, form, exc.status)
    flash(request, _("The call for pledges is published: every partner sees it."), "success")
    return redirect(f"/targets/{target_id}/coverage")


@router.get("/calls")
async def calls(request: Request, user: CurrentUser) -> Response:
    """The secretariat's calls for pledges, newest first, for every partner to answer."""
    _ = gettext_for(request)
    apis: Apis = request.app.state.apis
    found = await _every(apis.commitments, user.token, "/calls", {})
    return render(
        request,
        "coverage/calls.html",
        calls=found,
        label=lambda cell: cell_label(cell, _),
        amount=lambda value: amount(float(value)),
        metrics={k: _(v) for k, v in METRICS.items()},
    )
