"""Uploading a progress sheet (CSV): every row checked as `pactctl progress import` checks
it (pact_contracts.sheets) and against the organisation's commitments; every bad row shown
by line and field, and NOTHING sent until the whole file is clean. A clean file shows a
preview and a "Send N reports" button, saying which stored figures a revision leaving them
empty would clear (and offering to keep them); the reports then go through monitoring's
POST /progress. The file travels back with that button (a hidden field), and is checked
again before anything is sent."""

from __future__ import annotations

import difflib
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from pact_contracts.sheets.cells import RowError
from pact_contracts.sheets.progress_csv import Checked, Row, check_progress_csv
from pact_contracts.sheets.revisions import Cleared, cleared, keep_unset

from ..adapters import commitments_api as commitments
from ..adapters.api import ApiError, Apis
from ..adapters.monitoring_api import commitment_progress, send_report
from ..i18n import Gettext, gettext_for
from ..rendering import render
from ..session import CurrentUser, SignedIn, csrf_protect

router = APIRouter(include_in_schema=False)
PRODUCER = "portal-upload"
#: a quarter's sheet of a large partner is a few hundred rows; this is far above it
MAX_BYTES = 2 * 1024 * 1024


def unknown_commitments(checked: Checked, known: set[str], _: Gettext) -> list[RowError]:
    """A row naming a commitment the organisation does not have (monitoring would hold it
    for days, then refuse it)."""
    problems = []
    for row in checked.rows:
        cid = row.report.commitment_id
        if cid in known:
            continue
        close = difflib.get_close_matches(cid, sorted(known), n=1, cutoff=0.7)
        message = _("%(id)s is not one of your organisation's commitments.", id=cid)
        if close:
            message += " " + _("Did you mean %(id)s?", id=close[0])
        problems.append(RowError(row.line, "commitment_id", "unknown_commitment", message))
    return problems


async def check(
    request: Request, user: SignedIn, text: str, comma: bool
) -> tuple[Checked, list[Cleared]]:
    """The file's rows and every problem, by line (the header is line 1); and the stored
    figures each revision would clear (monitoring's periods of the rows' commitments)."""
    _ = gettext_for(request)
    assert user.partner_id is not None
    checked = check_progress_csv(
        text,
        partner_id=user.partner_id,
        producer=PRODUCER,
        today=datetime.now(UTC).date(),
        decimal_comma=True if comma else None,  # None: when the file is semicolon-separated
    )
    if not checked.rows:
        return checked, []
    a: Apis = request.app.state.apis
    mine = await commitments.every(a.commitments, user.token, user.partner_id, None)
    checked.errors.extend(unknown_commitments(checked, {c["id"] for c in mine}, _))
    checked.errors.sort(key=lambda e: e.line)
    if checked.errors:
        return checked, []
    progress = await commitment_progress(
        a.monitoring, user.token, partner=user.partner_id, partnership=None
    )
    stored = {(c["commitment_id"], p["period"]): p for c in progress for p in c["periods"]}
    return checked, cleared(checked.rows, stored)


def page(request: Request, user: SignedIn, status_code: int = 200, **context: object) -> Response:
    may = user.may_write and user.partner_id is not None
    return render(request, "reporting/upload.html", status_code, may_upload=may, **context)


@router.get("/upload")
async def upload_form(request: Request, user: CurrentUser) -> Response:
    return page(request, user)


async def file_text(sheet: object, _: Gettext) -> tuple[str | None, str | None]:
    """(the file's text, or why it cannot be read)."""
    if not isinstance(sheet, UploadFile) or not sheet.filename:
        return None, _("Choose a CSV file to upload.")
    data = await sheet.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return None, _("The file is larger than 2 MB: split it into several files.")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return None, _("The file is not UTF-8 text: save it from your spreadsheet as CSV UTF-8.")


@router.post("/upload", dependencies=[Depends(csrf_protect)])
async def upload(request: Request, user: CurrentUser) -> Response:
    """Check the file; send nothing."""
    _ = gettext_for(request)
    if not (user.may_write and user.partner_id is not None):
        return page(request, user, 403, problem=_("Your role may not report progress."))
    form = await request.form()
    text, problem = await file_text(form.get("sheet"), _)
    if text is None:
        return page(request, user, 422, problem=problem)
    comma = bool(form.get("decimal_comma"))
    checked, lost = await check(request, user, text, comma)
    if checked.errors:
        return page(request, user, 422, errors=checked.errors, rows=len(checked.rows))
    return page(request, user, preview=checked.rows, sheet=text, cleared=lost, comma=comma)


@router.post("/upload/send", dependencies=[Depends(csrf_protect)])
async def send(request: Request, user: CurrentUser) -> Response:
    """Check the file again, then send every report; none when any row is bad."""
    _ = gettext_for(request)
    if not (user.may_write and user.partner_id is not None):
        return page(request, user, 403, problem=_("Your role may not report progress."))
    form = await request.form()
    text = form.get("sheet")
    if not isinstance(text, str) or not text.strip():
        return page(request, user, 422, problem=_("Choose a CSV file to upload."))
    checked, lost = await check(request, user, text, bool(form.get("decimal_comma")))
    if checked.errors:
        return page(request, user, 422, errors=checked.errors, rows=len(checked.rows))
    if form.get("keep_unset"):  # carry the stored figures over, as --keep-unset does
        keep_unset(checked, lost)
    a: Apis = request.app.state.apis
    sent: list[Row] = []
    for row in checked.rows:
        report = row.report.model_dump(mode="json", exclude_none=True)
        try:
            await send_report(a.monitoring, user.token, report)
        except ApiError as exc:
            if exc.status >= 500 or exc.status == 401:
                raise
            failed = RowError(row.line, exc.field or "row", exc.code, exc.message)
            return page(request, user, exc.status, sent=sent, errors=[failed], stopped=True)
        sent.append(row)
    return page(request, user, sent=sent)
