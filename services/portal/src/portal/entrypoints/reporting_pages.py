"""Reporting in the browser: one period's figures in a form (`/report`), checked as a line
of a progress sheet is (pact_contracts.sheets: the same rules and words as `pactctl progress
import` and the upload), then sent through monitoring's POST /progress; and the
organisation's refused reports with monitoring's reasons (`/rejections`). The CSV upload is
in upload_pages (this router includes it)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from pact_contracts.progress import FigureKind
from pact_contracts.sheets.cells import FIGURES, figure_columns
from pact_contracts.sheets.progress_csv import check_row

from ..adapters import commitments_api as commitments
from ..adapters.api import ApiError, Apis
from ..adapters.monitoring_api import legal_names, rejections, send_report
from ..i18n import N_, gettext_for
from ..rendering import flash, render
from ..session import CurrentUser, SignedIn, csrf_protect
from . import upload_pages
from .work_forms import Form, api_errors, read

router = APIRouter(include_in_schema=False)
router.include_router(upload_pages.router)
PRODUCER = "portal"
#: what the form calls the contract's figures and breakdown keys (the sheet's columns)
LABELS = {
    "people_trained": N_("People trained"),
    "by_level": N_("People trained by digital skill level"),
    "by_country": N_("People trained by country"),
    "by_gender": N_("People trained by gender"),
    "programmes_developed": N_("Programmes developed"),
    "investment_eur": N_("Investment in training (euros)"),
    "people_reached": N_("People reached"),
    "people_placed_in_jobs": N_("People placed in digital jobs"),
    "new_entrants": N_("New entrants to the digital sector"),
    "certificates_issued": N_("Certificates issued"),
    "people_placed_in_jobs_by_level": N_("People placed in digital jobs by digital skill level"),
    "people_placed_in_jobs_by_country": N_("People placed in digital jobs by country"),
    "people_placed_in_jobs_by_gender": N_("People placed in digital jobs by gender"),
    "new_entrants_by_level": N_("New entrants by digital skill level"),
    "new_entrants_by_country": N_("New entrants by country"),
    "new_entrants_by_gender": N_("New entrants by gender"),
    "certificates_issued_by_level": N_("Certificates issued by digital skill level"),
    "certificates_issued_by_country": N_("Certificates issued by country"),
    "certificates_issued_by_gender": N_("Certificates issued by gender"),
    "basic": N_("Basic"),
    "intermediate": N_("Intermediate"),
    "advanced": N_("Advanced"),
    "expert": N_("Expert"),
    "female": N_("Female"),
    "male": N_("Male"),
    "non_binary": N_("Non-binary"),
    "undisclosed": N_("Undisclosed"),
}
#: the hints of the breakdowns of placements, entrants and certificates
_SUMS = N_("If given, the counts sum to the figure they break down.")
_CODES = N_(
    "If given, country codes with counts summing to the figure they break down: "
    "write e.g. DE:70;FR:50."
)
HINTS = {
    "people_trained": N_("People who completed up- or reskilling in the period."),
    "by_level": N_("If given, the levels sum to the people trained."),
    "by_country": N_(
        "If given, country codes with counts summing to the people trained: write e.g. DE:70;FR:50."
    ),
    "by_gender": N_("If given, the counts sum to the people trained."),
    "programmes_developed": N_("Training programmes developed or updated in the period."),
    "investment_eur": N_("Euros invested in training in the period, e.g. 150,000.50."),
    "people_reached": N_("People reached by promotion and dissemination."),
    "people_placed_in_jobs": N_("People who entered a digital job after the programme."),
    "new_entrants": N_("People from outside the digital sector who started a programme."),
    "certificates_issued": N_("Certificates of completion or of a skill issued in the period."),
    "people_placed_in_jobs_by_level": _SUMS,
    "people_placed_in_jobs_by_country": _CODES,
    "people_placed_in_jobs_by_gender": N_(
        "If given, the counts sum to the figure they break down."
    ),
    "new_entrants_by_level": _SUMS,
    "new_entrants_by_country": _CODES,
    "new_entrants_by_gender": _SUMS,
    "certificates_issued_by_level": _SUMS,
    "certificates_issued_by_country": _CODES,
    "certificates_issued_by_gender": _SUMS,
}


def figure_groups() -> list[dict[str, Any]]:
    """The report's figures as the form shows them (declared once, by the contract): a
    count or an amount is one field; a breakdown a group of fields, or one field of codes."""
    groups = []
    for f in FIGURES:
        columns = [(column, LABELS.get(key, key)) for column, key in figure_columns(f).items()]
        groups.append(
            {
                "name": f.name,
                "required": f.required,
                "breakdown": f.kind is FigureKind.BREAKDOWN,
                "columns": columns,
                "coded": f.kind is FigureKind.BREAKDOWN and not f.enum_keys,
                "label": LABELS.get(f.name, f.name),
                "hint": HINTS.get(f.name, ""),
            }
        )
    return groups


async def report_page(
    request: Request, user: SignedIn, form: Form, status_code: int = 200
) -> Response:
    a: Apis = request.app.state.apis
    mine = []
    if user.partner_id is not None:
        # a status takes nothing away: achieved, missed and withdrawn commitments take
        # reports too (monitoring refuses the periods after a withdrawal or deadline + grace)
        found = await commitments.every(a.commitments, user.token, user.partner_id, None)
        mine = [c for c in found if c.get("status") != "suspended"]
    return render(
        request,
        "reporting/report.html",
        status_code,
        form=form,
        commitments=[(c["id"], f"{c['title']} ({c['id']})") for c in mine],
        groups=figure_groups(),
        may_report=user.may_write and user.partner_id is not None,
    )


@router.get("/report")
async def report_form(request: Request, user: CurrentUser) -> Response:
    return await report_page(request, user, Form({"revision": "1"}))


@router.post("/report", dependencies=[Depends(csrf_protect)])
async def report(request: Request, user: CurrentUser) -> Response:
    _ = gettext_for(request)
    form = await read(request)
    if user.partner_id is None:
        form.fail("form", _("Only a partner's people report progress."))
        return await report_page(request, user, form, 403)
    cells = {k: v for k, v in form.values.items() if isinstance(v, str)}
    now = datetime.now(UTC)
    found, problems = check_row(
        cells, partner_id=user.partner_id, producer=PRODUCER, today=now.date(), now=now
    )
    groups = {f.name for f in FIGURES}
    for problem in problems:
        known = problem.field in cells or problem.field in groups
        form.fail(problem.field if known else "form", problem.message)
    if found is None or form.errors:
        return await report_page(request, user, form, 422)
    a: Apis = request.app.state.apis
    try:
        await send_report(
            a.monitoring, user.token, found.model_dump(mode="json", exclude_none=True)
        )
    except ApiError as exc:
        if exc.status not in (403, 409, 422):
            raise
        api_errors(form, exc)
        return await report_page(request, user, form, exc.status)
    flash(
        request,
        _(
            "The report for %(period)s is sent. Monitoring applies it in a moment; a refused "
            "report is listed under Rejected reports with the reason.",
            period=found.period,
        ),
        "success",
    )
    return RedirectResponse(f"/commitments/{found.commitment_id}", status_code=303)


@router.get("/rejections")
async def rejections_page(
    request: Request, user: CurrentUser, before: str | None = None
) -> Response:
    a: Apis = request.app.state.apis
    found = await rejections(a.monitoring, user.token, before)
    names = await legal_names(a.registry, user.token) if user.is_secretariat else {}
    return render(request, "reporting/rejections.html", page=found, names=names)
