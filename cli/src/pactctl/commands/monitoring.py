"""What monitoring knows: firing alerts and the annual report."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer

from ..output import console, emit_json, handled, table
from ..settings import settings

alerts = typer.Typer(help="Alerts monitoring raises on commitments and partnership targets.")
report = typer.Typer(help="Reports on the partnership's progress.")

ALERT_COLUMNS = (
    "rule",
    "severity",
    "subject_id",
    "partner_id",
    "metric",
    "expected",
    "actual",
    "due_date",
    "message",
)


def items(body: Any) -> list[dict[str, Any]]:
    """A page ({"items": [...]}) or a bare list."""
    if isinstance(body, dict):
        found = body.get("items", body.get("alerts", []))
        return list(found) if isinstance(found, list) else []
    return list(body) if isinstance(body, list) else []


@alerts.command("list")
@handled
def list_alerts(
    ctx: typer.Context,
    status: Annotated[str, typer.Option(help="firing, resolved or notified.")] = "firing",
    partner: Annotated[str | None, typer.Option(help="Only this partner's.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200, help="Page size.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many.")] = 0,
) -> None:
    """Alerts, firing ones by default (GET /alerts?status=firing&partner=...)."""
    s = settings(ctx)
    body = s.platform().get(
        "monitoring", "/alerts", status=status, partner=partner, limit=limit, offset=offset
    )
    if s.json_output:
        emit_json(body)
        return
    found = items(body)
    columns = [c for c in ALERT_COLUMNS if any(c in a for a in found)] or list(ALERT_COLUMNS)
    total = body.get("total", len(found)) if isinstance(body, dict) else len(found)
    console.print(
        table(
            f"Alerts ({status}: {total})",
            [c.replace("_id", "").replace("_", " ") for c in columns],
            [[a.get(c) for c in columns] for a in found],
        )
    )


def readable(key: str, value: Any) -> Any:
    """A year as it is written; a mapping in a table cell as `name value, ...` (zeros left out:
    `commitments_by_status` reads `active 3, withdrawn 1`)."""
    if key == "year":
        return str(value)
    if isinstance(value, dict) and not any(isinstance(v, dict | list) for v in value.values()):
        return ", ".join(
            f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in value.items() if v
        )
    return value


def render(title: str, data: Any) -> None:
    """Any JSON answer as tables: scalars as one field/value table, every list of objects
    and every mapping of objects as a table of its own."""
    if not isinstance(data, dict):
        data = {"items": data}
    scalars = [[k, readable(k, v)] for k, v in data.items() if not isinstance(v, dict | list)]
    scalars += [
        [f"{k}.{kk}", vv]
        for k, v in data.items()
        if isinstance(v, dict) and not any(isinstance(x, dict) for x in v.values())
        for kk, vv in v.items()
    ]
    if scalars:
        console.print(table(title, ["field", "value"], scalars))
    for key, value in data.items():
        rows: list[dict[str, Any]] = []
        if isinstance(value, list) and all(isinstance(x, dict) for x in value):
            rows = value
        elif isinstance(value, dict) and value and all(isinstance(x, dict) for x in value.values()):
            rows = [{"": k} | v for k, v in value.items()]
        if rows:
            columns = list(dict.fromkeys(c for r in rows for c in r))
            flat = [[readable(c, r.get(c)) for c in columns] for r in rows]
            console.print(
                table(key.replace("_", " "), [c.replace("_", " ") for c in columns], flat)
            )


@report.command("annual")
@handled
def annual(
    ctx: typer.Context,
    year: Annotated[
        int | None, typer.Option(help="The year reported on (default: this year).", min=2020)
    ] = None,
    partnership: Annotated[str | None, typer.Option(help="Only this partnership.")] = None,
) -> None:
    """The annual report: the survey's key figures, measured (GET /reports/annual?year=YYYY)."""
    s = settings(ctx)
    year = year or date.today().year
    body = s.platform().get("monitoring", "/reports/annual", year=year, partnership=partnership)
    if s.json_output:
        emit_json(body)
        return
    render(f"Annual report {year}", body)
