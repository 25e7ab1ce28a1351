"""What monitoring knows: firing alerts and the annual report."""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from ..output import Format, Listing, console, emit_json, errors, handled, table, to_tty
from ..output import show as show_listing
from ..settings import settings

alerts = typer.Typer(help="Alerts monitoring raises on commitments and partnership targets.")
report = typer.Typer(help="Reports on the partnership's progress.")

ALERT_COLUMNS = (
    "fingerprint",
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


ALERT_WIDE = ("status", "fired_at", "resolved_at", "acknowledged")


def _alert_row(a: dict[str, Any]) -> dict[str, Any]:
    ack = a.get("acknowledgement")
    return a | {"acknowledged": bool(ack)} if "acknowledgement" in a else a


@alerts.command("list")
@handled
def list_alerts(
    ctx: typer.Context,
    status: Annotated[str, typer.Option(help="firing, resolved or notified.")] = "firing",
    partner: Annotated[str | None, typer.Option(help="Only this partner's.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200, help="Page size.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many.")] = 0,
) -> None:
    """Alerts, firing ones by default (GET /alerts?status=firing&partner=...); the
    fingerprint is what alerts acknowledge takes."""
    s = settings(ctx)
    body = s.platform().get(
        "monitoring", "/alerts", status=status, partner=partner, limit=limit, offset=offset
    )
    found = [_alert_row(a) for a in items(body)]
    columns = [c for c in ALERT_COLUMNS if any(c in a for a in found)] or list(ALERT_COLUMNS)
    total = body.get("total", len(found)) if isinstance(body, dict) else len(found)
    listing = Listing(
        f"Alerts ({status}: {total})", columns, found, body, wide=list(ALERT_WIDE),
        id_column="fingerprint",
    )  # fmt: skip
    show_listing(s, listing)


@alerts.command("acknowledge")
@handled
def acknowledge(
    ctx: typer.Context,
    fingerprint: Annotated[
        str, typer.Argument(help="The alert's fingerprint (alerts list -o wide).")
    ],
    note: Annotated[str, typer.Option("--note", "-n", help="What is being done about it.")],
) -> None:
    """Acknowledge an alert's current episode with a note (POST /alerts/{fingerprint}/
    acknowledge); a partner its own alerts, the secretariat any."""
    s = settings(ctx)
    alert = s.platform().post("monitoring", f"/alerts/{fingerprint}/acknowledge", {"note": note})
    if s.quiet:
        print(alert["fingerprint"])
    elif s.json_output:
        emit_json(alert)
    else:
        console.print(f"Acknowledged {alert['rule']} on {alert['subject_id']} ({fingerprint}).")


DELIVERY_COLUMNS = ["delivery_id", "receiver", "event_type", "status", "attempts",
                    "next_attempt_at", "last_error"]  # fmt: skip
DELIVERY_WIDE = ["fingerprint", "transition", "gave_up", "last_status_code", "created_at",
                 "delivered_at"]  # fmt: skip


@alerts.command("deliveries")
@handled
def deliveries(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option(help="pending, delivered, failed or skipped.")
    ] = None,
    receiver: Annotated[str | None, typer.Option(help="partner:<id> or secretariat.")] = None,
    fingerprint: Annotated[str | None, typer.Option(help="Only this alert's.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="Page size.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many.")] = 0,
) -> None:
    """Webhook deliveries of alerts, newest first (GET /alerts/deliveries); --status failed
    lists those failing and given up."""
    s = settings(ctx)
    body = s.platform().get(
        "monitoring", "/alerts/deliveries", status=status, receiver=receiver,
        fingerprint=fingerprint, limit=limit, offset=offset,
    )  # fmt: skip
    found = items(body)
    total = body.get("total", len(found)) if isinstance(body, dict) else len(found)
    title = f"Webhook deliveries ({total})"
    show_listing(
        s,
        Listing(title, DELIVERY_COLUMNS, found, body, wide=DELIVERY_WIDE, id_column="delivery_id"),
    )


@alerts.command("retry")
@handled
def retry(
    ctx: typer.Context,
    delivery_id: Annotated[str, typer.Argument(help="The delivery's id (alerts deliveries).")],
) -> None:
    """Secretariat: send a delivery given up or skipped again, with fresh attempts
    (POST /alerts/deliveries/{id}/retry)."""
    s = settings(ctx)
    done = s.platform().post("monitoring", f"/alerts/deliveries/{delivery_id}/retry")
    if s.quiet:
        print(done["delivery_id"])
    elif s.json_output:
        emit_json(done)
    else:
        console.print(f"Delivery {delivery_id} to {done['receiver']} is {done['status']} again.")


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


class ReportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


@report.command("annual")
@handled
def annual(
    ctx: typer.Context,
    year: Annotated[
        int | None, typer.Option(help="The year reported on (default: this year).", min=2020)
    ] = None,
    partnership: Annotated[str | None, typer.Option(help="Only this partnership.")] = None,
    format_: Annotated[
        ReportFormat | None,
        typer.Option("--format", help="With --save: csv or json (default: from the file name)."),
    ] = None,
    save: Annotated[
        Path | None,
        typer.Option(help="Write the report to this file (CSV or JSON) instead of printing it."),
    ] = None,
) -> None:
    """The annual report: the survey's key figures, measured (GET /reports/annual?year=YYYY;
    as CSV with ?format=csv)."""
    s = settings(ctx)
    year = year or date.today().year
    platform = s.platform()
    if save is not None:
        fmt = format_ or (ReportFormat.CSV if save.suffix.lower() == ".csv" else ReportFormat.JSON)
        if fmt is ReportFormat.CSV:
            text = platform.text(
                "monitoring", "/reports/annual", year=year, partnership=partnership, format="csv"
            )
        else:
            doc = platform.get("monitoring", "/reports/annual", year=year, partnership=partnership)
            text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
        save.write_text(text, encoding="utf-8")
        errors.print(f"annual report {year} written to {save} ({fmt.value})")
        return
    if s.output is Format.CSV or (s.output is None and not to_tty()):
        text = platform.text(
            "monitoring", "/reports/annual", year=year, partnership=partnership, format="csv"
        )
        if s.output is Format.CSV:
            sys.stdout.write(text)
        else:
            rows = list(csv.reader(io.StringIO(text)))
            sys.stdout.write(
                "".join("\t".join(" ".join(c.split()) for c in r) + "\n" for r in rows)
            )
        return
    body = platform.get("monitoring", "/reports/annual", year=year, partnership=partnership)
    if s.json_output:
        emit_json(body)
        return
    render(f"Annual report {year}", body)
