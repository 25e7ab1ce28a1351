"""`pactctl progress`: importing period figures, and what monitoring refused, holds back and
measured."""

from __future__ import annotations

from typing import Annotated

import typer

from ..output import Listing, console, handled, table, to_tty
from ..output import show as show_listing
from ..settings import settings
from .progress_import import IMPORT_HELP, SHOWN, import_csv
from .progress_send import SEND_HELP, send_jsonl

app = typer.Typer(help="Progress reports: one per commitment and period.")
app.command("import", help=IMPORT_HELP)(import_csv)
app.command("send", help=SEND_HELP)(send_jsonl)


REJECTION_COLUMNS = [
    "event_id",
    "rejected_at",
    "commitment_id",
    "period",
    "reason",
    "field",
    "message",
]


@app.command("rejections")
@handled
def rejections(
    ctx: typer.Context,
    partner: Annotated[str | None, typer.Option(help="Only this partner's (secretariat).")] = None,
    commitment: Annotated[str | None, typer.Option(help="Only this commitment's.")] = None,
    reason: Annotated[str | None, typer.Option(help="Only this reason code.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many, newest first.")] = 50,
) -> None:
    """Reports monitoring refused, newest first, with the reason (GET /progress/rejections);
    a partner sees its own."""
    s = settings(ctx)
    page = s.platform().get(
        "monitoring",
        "/progress/rejections",
        partner_id=partner,
        commitment_id=commitment,
        reason=reason,
        limit=limit,
    )
    items = page.get("items", [])
    title = f"Rejected reports ({len(items)}{'+' if page.get('next') else ''})"
    wide = ["partner_id", "rejection_id"]
    show_listing(s, Listing(title, REJECTION_COLUMNS, items, page, wide=wide, id_column="event_id"))


WAITING_COLUMNS = ["event_id", "commitment_id", "period", "revision", "awaiting", "parked_at",
                   "expires_at"]  # fmt: skip


@app.command("waiting")
@handled
def waiting(
    ctx: typer.Context,
    partner: Annotated[str | None, typer.Option(help="Only this partner's (secretariat).")] = None,
    commitment: Annotated[str | None, typer.Option(help="Only those naming it.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="Page size.")] = 100,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many.")] = 0,
) -> None:
    """Reports held back because the commitment (or partner) they name is not known yet,
    with when each expires and is rejected (GET /progress/waiting); a partner sees its own."""
    s = settings(ctx)
    page = s.platform().get(
        "monitoring", "/progress/waiting", partner_id=partner, commitment_id=commitment,
        limit=limit, offset=offset,
    )  # fmt: skip
    items = page.get("items", [])
    title = f"Reports waiting ({page.get('total', len(items))})"
    show_listing(
        s,
        Listing(title, WAITING_COLUMNS, items, page, wide=["partner_id", "people_trained"],
                id_column="event_id"),
    )  # fmt: skip


PERIOD_COLUMNS = ["period", "revision", "value", "cumulative", *SHOWN]


@app.command("show")
@handled
def show(ctx: typer.Context, commitment_id: str) -> None:
    """A commitment's progress: achieved so far, on track or not, its periods and firing
    alerts (GET /progress/commitments/{id}); piped or -o csv: its periods."""
    s = settings(ctx)
    doc = s.platform().get("monitoring", f"/progress/commitments/{commitment_id}")
    periods = doc.get("periods", [])
    if s.output is not None or s.quiet or not to_tty():
        show_listing(s, Listing(None, PERIOD_COLUMNS, periods, doc, id_column="period"))
        return
    share = doc.get("share") or 0.0
    console.print(
        f"[bold]{doc.get('title')}[/] ({commitment_id}, {doc.get('status')}): "
        f"{doc.get('achieved', 0):,.0f} of {doc.get('target_value', 0):,.0f} "
        f"{doc.get('metric')} ({share:.0%}), on track: {doc.get('on_track')}"
    )
    console.print(
        table("Periods", PERIOD_COLUMNS, [[p.get(c) for c in PERIOD_COLUMNS] for p in periods])
    )
    if doc.get("alerts"):
        console.print(
            table("Alerts firing", ["rule", "severity", "due_date", "message"],
                  [[a.get("rule"), a.get("severity"), a.get("due_date"), a.get("message")]
                   for a in doc["alerts"]])
        )  # fmt: skip
