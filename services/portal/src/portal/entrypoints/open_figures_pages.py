"""The open figures (issue 17): `/open-figures`, a public page, no sign-in needed (linked
from the sign-in page). It shows monitoring's `GET /public/figures`, which asks for no token
and leaves out every group whose figures come from fewer than 3 partners."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ..adapters.api import ApiError, Apis
from ..dashboard.charts import amount
from ..dashboard.progress import METRICS, unit
from ..i18n import N_, Gettext, gettext_for
from ..rendering import render
from ..session import OptionalUser
from .commitment_forms import LABELS

router = APIRouter(include_in_schema=False)
Year = Annotated[int | None, Query(ge=2020, le=2100)]
#: the groups of the answer, in the order shown, with what the first column says of them
GROUPS = (
    ("partnerships", N_("Partnership")),
    ("by_country", N_("Country")),
    ("by_level", N_("Skill level")),
)
Doc = dict[str, Any]


def table(figures: Doc, _: Gettext) -> tuple[list[str], list[Doc]]:
    """The figures' columns (those the answer has) and one row per group shown, total first."""
    keys = [
        k
        for k in METRICS
        if k in (figures.get("total") or {})
        or any(k in g for name, _label in GROUPS for g in figures.get(name, []))
    ]
    rows: list[Doc] = []

    def row(kind: str, name: str, group: Doc) -> None:
        cells = [amount(float(group.get(k, 0)), unit(k)) for k in keys]
        rows.append(
            {"kind": kind, "name": name, "cells": cells, "partners": group["partners_reporting"]}
        )

    if figures.get("total"):
        row(_("All partnerships"), _("Total"), figures["total"])
    for name, label in GROUPS:
        for group in figures.get(name, []):
            shown = group.get("name") or _(LABELS.get(group["id"], group["id"]))
            row(_(label), shown, group)
    return [_(METRICS[k]) for k in keys], rows


@router.get("/open-figures")
async def open_figures(request: Request, user: OptionalUser, year: Year = None) -> Response:
    """Anyone's to read: the monitoring API is asked without the visitor's token."""
    _ = gettext_for(request)
    apis: Apis = request.app.state.apis
    try:
        figures = await apis.monitoring.get("/public/figures", params={"year": year})
    except ApiError as exc:
        if exc.status != 503:
            raise
        message = _("The figures cannot be shown just now. Please try again in a few minutes.")
        return render(request, "error.html", 503, title=_("Open figures"), message=message)
    columns, rows = table(figures, _)
    return render(
        request, "open_figures/page.html", figures=figures, columns=columns, rows=rows, user=user
    )
