"""Partnership targets on the commitments service: `targets list` (every active partner
sees them) and `targets set` (the secretariat), split into cells where it says so."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from pact_contracts.vocabulary import Gender, Metric, SkillLevel

from .. import inputs
from ..api import ApiError
from ..errors import naming
from ..output import CliError, Listing, console, emit_json, handled
from ..output import show as show_listing
from ..settings import settings
from .commitments import _checked, _milestone

app = typer.Typer(help="Common targets of a partnership (its progress is monitoring's).")

COLUMNS = ["id", "partnership_id", "title", "metric", "target_value", "deadline", "version"]
WIDE = ["baseline", "start_date", "milestones", "cells", "set_at"]
FLAGS = {"partnership_id": "--partnership", "title": "--title", "metric": "--metric",
         "target_value": "--target", "baseline": "--baseline", "start_date": "--start-date",
         "deadline": "--deadline", "milestones": "--milestone", "cells": "--cell"}  # fmt: skip
CELL_KEYS = ("level", "country", "gender", "value")


def _short_cell(text: str) -> dict[str, Any] | None:
    """advanced,RO=4000 (the cell's level, country and gender, those it names, then = and
    the value needed), as the portal's targets form writes a cell; None: not that form."""
    names, sep, value = text.rpartition("=")
    if not sep or "=" in names:
        return None
    cell: dict[str, Any] = {"value": value}
    for name in (n.strip() for n in names.split(",")):
        key = (
            "level" if name.lower() in set(SkillLevel) else
            "gender" if name.lower() in set(Gender) else
            "country" if name not in CELL_KEYS else None
        )  # fmt: skip
        if key is None or not name:
            raise CliError(f"--cell {text!r}: {name!r} is not a level, country or gender")
        if key in cell:
            raise CliError(f"--cell {text!r}: a second {key} ({cell[key]!r}, then {name!r})")
        cell[key] = name if key == "country" else name.lower()
    return cell


def _cell(text: str) -> dict[str, Any]:
    """level=advanced,country=RO,value=4000 or advanced,RO=4000 (one, two or all three of
    level, country and gender, and the value needed)."""
    form = (
        "write LEVEL,COUNTRY,GENDER=VALUE (those the cell names), e.g. advanced,RO=4000, or "
        "KEY=VALUE,... with level, country, gender and value, e.g. country=RO,value=4000"
    )
    short = _short_cell(text)
    if short is not None:
        return _checked_cell(text, short)
    cell: dict[str, Any] = {}
    parts: list[str] = []
    for piece in text.split(","):  # value=4,000: a piece without "=" goes on the last
        if "=" not in piece and parts:
            parts[-1] += f",{piece}"
        elif piece.strip():
            parts.append(piece)
    for part in parts:
        key, sep, value = (x.strip() for x in part.partition("="))
        if not sep or key not in CELL_KEYS or key in cell:
            raise CliError(f"--cell {text!r}: {part.strip()!r} is not one of {CELL_KEYS}; {form}")
        cell[key] = value
    if "value" not in cell:
        raise CliError(f"--cell {text!r}: no value; {form}")
    return _checked_cell(text, cell)


def _checked_cell(text: str, cell: dict[str, Any]) -> dict[str, Any]:
    cell["value"] = _checked(f"--cell {text!r}", inputs.number, cell["value"])
    if "country" in cell:
        cell["country"] = _checked(f"--cell {text!r}", inputs.country, cell["country"])
    return cell


@app.command("list")
@handled
def list_targets(
    ctx: typer.Context,
    partnership: Annotated[str | None, typer.Option(help="Only this partnership's.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200, help="Page size.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many.")] = 0,
) -> None:
    """Partnership targets in the order they were set (GET /partnership-targets)."""
    s = settings(ctx)
    page = s.platform().get(
        "commitments", "/partnership-targets", partnership=partnership, limit=limit, offset=offset
    )
    title = f"Partnership targets ({len(page['items'])} of {page['total']})"
    show_listing(s, Listing(title, COLUMNS, page["items"], page, wide=WIDE))


@app.command("set")
@handled
def set_target(
    ctx: typer.Context,
    title: Annotated[str, typer.Option(help="What the partnership aims at.")],
    target: Annotated[
        str, typer.Option("--target", "--target-value", help="Value to reach: 1,000,000.")
    ],
    start: Annotated[str, typer.Option("--start-date", "--start", help="First day counted.")],
    deadline: Annotated[str, typer.Option(help="Last day to reach it, YYYY-MM-DD.")],
    partnership: Annotated[str, typer.Option(help="The partnership.")] = "digital-ecosystem",
    metric: Annotated[Metric, typer.Option(help="What the target counts.")] = Metric.PEOPLE_TRAINED,
    baseline: Annotated[str | None, typer.Option(help="Value reached at the start.")] = None,
    milestone: Annotated[
        list[str] | None, typer.Option(help="DATE:VALUE, cumulative; repeat for each.")
    ] = None,
    cell: Annotated[
        list[str] | None,
        typer.Option(
            help="A cell of the split target: advanced,RO=4000 or "
            "level=advanced,country=RO,value=4000 (level, country, gender: one or more); "
            "repeat for each."
        ),
    ] = None,
) -> None:
    """Secretariat: set a common target of a partnership (POST /partnership-targets),
    optionally split into cells by level, country and gender."""
    s = settings(ctx)
    body: dict[str, Any] = {
        "partnership_id": partnership,
        "title": title,
        "metric": metric.value,
        "target_value": _checked("--target", inputs.number, target),
        "start_date": _checked("--start-date", inputs.day, start),
        "deadline": _checked("--deadline", inputs.day, deadline),
        "milestones": [_milestone(m) for m in milestone or []],
    }
    if baseline is not None:
        body["baseline"] = _checked("--baseline", inputs.number, baseline)
    if cell:
        body["cells"] = [_cell(c) for c in cell]
    try:
        done = s.platform().post("commitments", "/partnership-targets", body)
    except ApiError as exc:
        raise naming(exc, FLAGS) from exc
    if s.quiet:
        print(done["target_id"])
    elif s.json_output:
        emit_json(done)
    else:
        console.print(f"Set [bold]{done['target_id']}[/] (version {done['version']}).")
