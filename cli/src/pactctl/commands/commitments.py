"""Commitments on the commitments service: listing, one with its history, pledging."""

from __future__ import annotations

import json
from datetime import datetime
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

from ..output import CliError, console, emit_json, handled, table
from ..settings import settings

app = typer.Typer(help="Commitments partners pledge: targets, milestones, deadlines.")


def _row(c: dict[str, Any]) -> list[Any]:
    return [
        c["id"],
        c["partner_id"],
        c["title"],
        c["metric"],
        c["target_value"],
        c["deadline"],
        c["cadence"],
        c["countries"],
        c["status"],
    ]


COLUMNS = [
    "id",
    "partner",
    "title",
    "metric",
    "target",
    "deadline",
    "cadence",
    "countries",
    "status",
]


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
        country=country.upper() if country else None,
        level=level.value if level else None,
        specialisation=specialisation.value if specialisation else None,
        limit=limit,
        offset=offset,
    )
    if s.json_output:
        emit_json(page)
        return
    shown = f"{offset + 1}-{offset + len(page['items'])}" if page["items"] else "none"
    title = f"Commitments ({shown} of {page['total']})"
    console.print(table(title, COLUMNS, [_row(c) for c in page["items"]]))


@app.command("show")
@handled
def show(ctx: typer.Context, commitment_id: str) -> None:
    """One commitment with every version (GET /commitments/{id})."""
    s = settings(ctx)
    detail = s.platform().get("commitments", f"/commitments/{commitment_id}")
    if s.json_output:
        emit_json(detail)
        return
    history = detail.pop("history", [])
    console.print(table(None, ["field", "value"], [[k, v] for k, v in detail.items()]))
    console.print(
        table(
            "History",
            ["version", "event", "at", "actor", "reason"],
            [
                [h["version"], h["event_type"], h["occurred_at"], h["actor"], h["reason"]]
                for h in history
            ],
        )
    )


def _milestone(text: str) -> dict[str, Any]:
    due, _, value = text.partition(":")
    try:
        return {
            "due_date": datetime.strptime(due, "%Y-%m-%d").date().isoformat(),
            "value": float(value),
        }
    except ValueError as exc:
        raise CliError(f"--milestone {text!r}: write DATE:VALUE, e.g. 2026-12-31:8000") from exc


def _many(values: list[str] | None, upper: bool = False) -> list[str] | None:
    out = [v.strip() for item in values or [] for v in item.split(",") if v.strip()]
    return [v.upper() if upper else v for v in out] or None


@app.command()
@handled
def pledge(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            "-f",
            help="A JSON pledge body; flags given override it.",
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
    country: Annotated[list[str] | None, typer.Option(help="DE,FR...")] = None,
    metric: Annotated[Metric | None, typer.Option(help="What the target counts.")] = None,
    target: Annotated[float | None, typer.Option(help="Value to reach.", min=0)] = None,
    baseline: Annotated[float | None, typer.Option(help="Value reached already.", min=0)] = None,
    start: Annotated[str | None, typer.Option(help="Start date YYYY-MM-DD.")] = None,
    deadline: Annotated[str | None, typer.Option(help="Deadline YYYY-MM-DD.")] = None,
    milestone: Annotated[
        list[str] | None, typer.Option(help="DATE:VALUE (cumulative); repeat for each.")
    ] = None,
    cadence: Annotated[Cadence | None, typer.Option(help="Reporting cadence.")] = None,
    grace_days: Annotated[int | None, typer.Option(help="Days before overdue.", min=0)] = None,
) -> None:
    """Pledge a commitment (POST /commitments)."""
    s = settings(ctx)
    body: dict[str, Any] = {}
    if file is not None:
        try:
            body = json.loads(file.read_text())
        except ValueError as exc:
            raise CliError(f"{file} is not JSON: {exc}") from exc
    flags: dict[str, Any] = {
        "partnership_id": partnership,
        "title": title,
        "description": description,
        "partner_id": partner,
        "principle": principle.value if principle else None,
        "action_type": action_type.value if action_type else None,
        "specialisations": _many(specialisation),
        "levels": _many(level),
        "countries": _many(country, upper=True),
        "metric": metric.value if metric else None,
        "target_value": target,
        "baseline": baseline,
        "start_date": start,
        "deadline": deadline,
        "milestones": [_milestone(m) for m in milestone] if milestone else None,
        "cadence": cadence.value if cadence else None,
        "grace_days": grace_days,
    }
    body = {"partnership_id": "digital-ecosystem"} | body
    body |= {k: v for k, v in flags.items() if v is not None}
    done = s.platform().post("commitments", "/commitments", body)
    if s.json_output:
        emit_json(done)
    else:
        console.print(f"Pledged [bold]{done['commitment_id']}[/] (status {done['status']}).")
