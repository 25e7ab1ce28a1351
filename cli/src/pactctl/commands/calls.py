"""Calls for pledges (issue 17): the secretariat asks every partner to pledge for cells of a
split partnership target that lack pledges (`calls publish`); every active partner reads
them, newest first (`calls list`)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ..api import ApiError
from ..errors import naming
from ..output import Listing, console, emit_json, handled
from ..output import show as show_listing
from ..settings import settings
from .targets import _cell

app = typer.Typer(help="Calls for pledges where a split target's cells lack them.")

COLUMNS = ["id", "target_id", "title", "cells", "message", "published_at"]
WIDE = ["partnership_id", "metric"]


def cells_text(cells: list[dict[str, Any]]) -> str:
    """advanced, RO: 4000; PL, female: 4000"""
    return "; ".join(f"{cell_names(c)}: {float(str(c['value'])):,g}" for c in cells)


def cell_names(cell: dict[str, Any]) -> str:
    """`advanced, RO`: what a cell is of, in the order level, country, gender."""
    return ", ".join(str(cell[k]) for k in ("level", "country", "gender") if cell.get(k))


@app.command("list")
@handled
def list_calls(
    ctx: typer.Context,
    partnership: Annotated[str | None, typer.Option(help="Only this partnership's.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200, help="Page size.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many.")] = 0,
) -> None:
    """The calls for pledges, newest first (GET /calls): every active partner's to read."""
    s = settings(ctx)
    page = s.platform().get(
        "commitments", "/calls", partnership=partnership, limit=limit, offset=offset
    )
    rows = page["items"]
    if not s.json_output:
        rows = [c | {"cells": cells_text(c["cells"])} for c in rows]
    title = f"Calls for pledges ({len(page['items'])} of {page['total']})"
    show_listing(s, Listing(title, COLUMNS, rows, page, wide=WIDE))


@app.command("publish")
@handled
def publish(
    ctx: typer.Context,
    target_id: Annotated[str, typer.Argument(help="The split partnership target.")],
    message: Annotated[str, typer.Option(help="What the secretariat asks of the partners.")],
    cell: Annotated[
        list[str],
        typer.Option(
            help="A cell called for, with what is still to pledge there: advanced,RO=4000 "
            "(or level=advanced,country=RO,value=4000); repeat for each."
        ),
    ],
) -> None:
    """Secretariat: publish a call for pledges for cells of a split target
    (POST /partnership-targets/{target_id}/calls), no more than each cell needs."""
    s = settings(ctx)
    body = {"message": message, "cells": [_cell(c) for c in cell]}
    try:
        done = s.platform().post("commitments", f"/partnership-targets/{target_id}/calls", body)
    except ApiError as exc:
        raise naming(exc, {"message": "--message", "cells": "--cell"}) from exc
    if s.quiet:
        print(done["id"])
    elif s.json_output:
        emit_json(done)
    else:
        console.print(
            f"Published call [bold]{done['id']}[/] to every partner: {cells_text(done['cells'])}."
        )
