"""Commitments on the commitments service: listing, one with its history, pledging."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from pact_contracts.vocabulary import (
    ActionType,
    Cadence,
    CommitmentStatus,
    Metric,
    Principle,
    SkillLevel,
    Specialisation,
)

from .. import inputs
from ..api import NOT_YET_KNOWN, ApiError, Platform, while_refused
from ..errors import names_for, naming
from ..inputs import InputProblem
from ..output import CliError, Format, Listing, console, emit_json, fields, handled
from ..output import show as show_listing
from ..settings import settings
from .register import read_json_file

app = typer.Typer(help="Commitments partners pledge: targets, milestones, deadlines.")


COLUMNS = ["id", "partner_id", "title", "metric", "target_value", "deadline", "status"]
WIDE = ["partnership_id", "start_date", "cadence", "countries", "levels", "specialisations",
        "version"]  # fmt: skip


@app.command("list")
@handled
def list_commitments(
    ctx: typer.Context,
    partner: Annotated[str | None, typer.Option(help="Only this partner's.")] = None,
    partnership: Annotated[str | None, typer.Option(help="Only toward it.")] = None,
    status: Annotated[CommitmentStatus | None, typer.Option(help="Only this status.")] = None,
    country: Annotated[str | None, typer.Option(help="Only those carried out here.")] = None,
    level: Annotated[SkillLevel | None, typer.Option(help="Only this skill level.")] = None,
    specialisation: Annotated[Specialisation | None, typer.Option(help="Only this one.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200, help="Page size.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many.")] = 0,
) -> None:
    """List commitments (GET /commitments); a partner sees its own."""
    s = settings(ctx)
    page = s.platform().get(
        "commitments",
        "/commitments",
        partner=partner,
        partnership=partnership,
        status=status.value if status else None,
        country=_checked("--country", inputs.country, country) if country else None,
        level=level.value if level else None,
        specialisation=specialisation.value if specialisation else None,
        limit=limit,
        offset=offset,
    )
    shown = f"{offset + 1}-{offset + len(page['items'])}" if page["items"] else "none"
    title = f"Commitments ({shown} of {page['total']})"
    show_listing(s, Listing(title, COLUMNS, page["items"], page, wide=WIDE))


HISTORY = ["version", "event_type", "occurred_at", "actor", "reason"]


@app.command("show")
@handled
def show(ctx: typer.Context, commitment_id: str) -> None:
    """One commitment with every version (GET /commitments/{id})."""
    s = settings(ctx)
    detail = s.platform().get("commitments", f"/commitments/{commitment_id}")
    history = detail.get("history", [])
    listing = fields({k: v for k, v in detail.items() if k != "history"})
    listing.doc = detail
    show_listing(s, listing)
    if s.output in (None, Format.TABLE, Format.WIDE) and not s.quiet:
        show_listing(s, Listing("History", HISTORY, history, history, id_column="version"))


def _checked(where: str, parse: Callable[[str], Any], text: str) -> Any:
    try:
        return parse(text)
    except InputProblem as exc:
        raise CliError(f"{where}: {exc}") from exc


def _milestone(text: str) -> dict[str, Any]:
    form = "write DATE:VALUE, e.g. 2026-12-31:8000"
    due, sep, value = text.partition(":")
    try:
        if not sep or not value:
            raise InputProblem("milestone_format", "it is not DATE:VALUE")
        return {"due_date": inputs.day(due), "value": inputs.number(value)}
    except InputProblem as exc:
        raise CliError(f"--milestone {text!r}: {exc}; {form}") from exc


def _many(values: list[str] | None, upper: bool = False) -> list[str] | None:
    out = [v.strip() for item in values or [] for v in item.split(",") if v.strip()]
    return [v.upper() if upper else v for v in out] or None


#: the pledge's fields (as in a --file) and the flags that give them: one vocabulary
FLAGS = {
    "partnership_id": "--partnership", "title": "--title", "description": "--description",
    "partner_id": "--partner", "principle": "--principle", "action_type": "--action-type",
    "specialisations": "--specialisation", "levels": "--level", "countries": "--country",
    "metric": "--metric", "target_value": "--target", "baseline": "--baseline",
    "start_date": "--start-date", "deadline": "--deadline", "milestones": "--milestone",
    "cadence": "--cadence", "grace_days": "--grace-days",
}  # fmt: skip
REQUIRED = ("title", "principle", "action_type", "specialisations", "levels", "countries",
            "target_value", "start_date", "deadline", "cadence")  # fmt: skip


def _file_values(body: dict[str, Any], file: str) -> None:
    """A file's numbers, dates and countries read as the flags' are (3,000; GR/EL)."""
    for key in ("target_value", "baseline"):
        if isinstance(body.get(key), str):
            body[key] = _checked(f"{key} in {file}", inputs.number, body[key])
    for key in ("start_date", "deadline"):
        if isinstance(body.get(key), str):
            body[key] = _checked(f"{key} in {file}", inputs.day, body[key])
    if isinstance(body.get("countries"), list):
        body["countries"] = [
            _checked(f"countries in {file}", inputs.country, c) if isinstance(c, str) else c
            for c in body["countries"]
        ]


WAIT_FOR_APPROVAL = 15.0


def _pledge(platform: Platform, body: dict[str, Any]) -> Any:
    """POST /commitments, waiting a little while a fresh approval is on its way."""

    def on_its_way(exc: ApiError) -> bool:
        fresh = exc.code != "partner_not_active" or " is pending;" in exc.message
        return exc.code in NOT_YET_KNOWN and fresh

    return while_refused(
        lambda: platform.post("commitments", "/commitments", body), on_its_way, WAIT_FOR_APPROVAL
    )


@app.command()
@handled
def pledge(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            "-f",
            help="A JSON pledge: keys as the API's (title, target_value, start_date, "
            "countries, milestones, ...); flags given override it.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    title: Annotated[str | None, typer.Option(help="Short title.")] = None,
    description: Annotated[str | None, typer.Option(help="What will be done.")] = None,
    partner: Annotated[
        str | None, typer.Option(help="Owner partner (the secretariat must name it).")
    ] = None,
    partnership: Annotated[
        str | None, typer.Option(help="Partnership (default: digital-ecosystem).")
    ] = None,
    principle: Annotated[Principle | None, typer.Option(help="Charter principle.")] = None,
    action_type: Annotated[ActionType | None, typer.Option(help="Kind of action.")] = None,
    specialisation: Annotated[list[str] | None, typer.Option(help="cloud,cybersecurity...")] = None,
    level: Annotated[list[str] | None, typer.Option(help="basic,intermediate...")] = None,
    country: Annotated[list[str] | None, typer.Option(help="DE,FR... (Greece: GR)")] = None,
    metric: Annotated[Metric | None, typer.Option(help="What the target counts.")] = None,
    target: Annotated[
        str | None,
        typer.Option("--target", "--target-value", help="Value to reach: 3000 or 3,000."),
    ] = None,
    baseline: Annotated[str | None, typer.Option(help="Value reached already.")] = None,
    start: Annotated[
        str | None, typer.Option("--start-date", "--start", help="Start date YYYY-MM-DD.")
    ] = None,
    deadline: Annotated[str | None, typer.Option(help="Deadline YYYY-MM-DD.")] = None,
    milestone: Annotated[
        list[str] | None,
        typer.Option(help="DATE:VALUE, cumulative, e.g. 2026-06-30:1,000; repeat for each."),
    ] = None,
    cadence: Annotated[Cadence | None, typer.Option(help="Reporting cadence.")] = None,
    grace_days: Annotated[int | None, typer.Option(help="Days before overdue.", min=0)] = None,
) -> None:
    """Pledge a commitment (POST /commitments)."""
    s = settings(ctx)
    body = read_json_file(file) if file is not None else {}
    if file is not None:
        _file_values(body, str(file))
    flags: dict[str, Any] = {
        "partnership_id": partnership,
        "title": title,
        "description": description,
        "partner_id": partner,
        "principle": principle.value if principle else None,
        "action_type": action_type.value if action_type else None,
        "specialisations": _many(specialisation),
        "levels": _many(level),
        "countries": [_checked("--country", inputs.country, c) for c in _many(country) or []]
        or None,
        "metric": metric.value if metric else None,
        "target_value": _checked("--target", inputs.number, target) if target else None,
        "baseline": _checked("--baseline", inputs.number, baseline) if baseline else None,
        "start_date": _checked("--start-date", inputs.day, start) if start else None,
        "deadline": _checked("--deadline", inputs.day, deadline) if deadline else None,
        "milestones": [_milestone(m) for m in milestone] if milestone else None,
        "cadence": cadence.value if cadence else None,
        "grace_days": grace_days,
    }
    names = names_for(FLAGS, flags, str(file) if file else None)
    body = {"partnership_id": "digital-ecosystem"} | body
    body |= {k: v for k, v in flags.items() if v is not None}
    missing = [k for k in REQUIRED if k not in body]
    if missing:
        said = [FLAGS[k] + (f" (or {k} in {file})" if file else "") for k in missing]
        raise CliError("missing: " + ", ".join(said))
    try:
        done = _pledge(s.platform(), body)
    except ApiError as exc:
        raise naming(exc, names) from exc
    if s.quiet:
        print(done["commitment_id"])
    elif s.json_output:
        emit_json(done)
    else:
        console.print(f"Pledged [bold]{done['commitment_id']}[/] (status {done['status']}).")
