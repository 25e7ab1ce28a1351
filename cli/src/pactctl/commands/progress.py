"""`pactctl progress import`: a partner's period figures from a spreadsheet export."""

from __future__ import annotations

import asyncio
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from pact_contracts import PROGRESS_REPORTED
from pact_contracts.progress import FigureKind, ReportFigure

from ..kafka import SendError, send_over_http, send_to_kafka
from ..output import CliError, console, emit_json, errors, handled, table
from ..progress_csv import FIGURES as REPORT_FIGURES
from ..progress_csv import REQUIRED, Checked, check_progress_csv, figure_columns
from ..settings import Settings, settings
from .keys import check_signing_key

app = typer.Typer(help="Progress reports: one per commitment and period.")


class Via(StrEnum):
    KAFKA = "kafka"
    HTTP = "http"


def _column_help(f: ReportFigure) -> str:
    columns = figure_columns(f)
    text = f"- [bold]{', '.join(columns)}[/]: {f.description}"
    if f.kind is FigureKind.BREAKDOWN and len(columns) == 1 and f.example:
        return text + ' Write e.g. "' + ";".join(f"{k}:{v}" for k, v in f.example.items()) + '"'
    if f.kind is FigureKind.EUROS:
        return text + " Write e.g. 150000.50"
    return text


IMPORT_HELP = "\n\n".join(
    (
        "Import period figures from a CSV file (a spreadsheet export). Every row is checked "
        "against the ProgressReported contract first; if any row is bad, the problems are "
        "listed with line number, field and rule, and nothing is sent.",
        "One row per commitment and period. The header row names the columns, in any order; "
        f"{', '.join(REQUIRED)} are required; an empty cell means 'not given':",
        "\n".join(
            (
                "- [bold]commitment_id[/]: the id from the pledge",
                "- [bold]period[/]: YYYY-Qn (quarterly) or YYYY-MM (monthly), already begun",
                "- [bold]revision[/]: 1 when empty; a higher one replaces earlier figures",
                *(_column_help(f) for f in REPORT_FIGURES),
            )
        ),
        "Each breakdown given must sum exactly to people_trained. Counts are whole numbers, "
        "0 or more, without thousands separators. Comma- and semicolon-separated files are "
        "both read.",
        "Sent to Kafka (partners.progress-reported.v1, key commitment_id) by default, or with "
        "[bold]--via http[/] to POST /progress on monitoring.",
    )
)


def _partner(s: Settings, given: str | None, dry_run: bool) -> str:
    if given:
        return given
    if s.api_key:
        partner_id = s.platform().token().partner_id
        if partner_id is None:
            raise CliError("the secretariat reports for a partner: give --partner")
        return partner_id
    if dry_run:
        return "dry-run"
    raise CliError("give --api-key (or PACT_API_KEY) of the reporting partner, or --partner")


def _show_errors(checked: Checked, path: Path) -> None:
    lines = {e.line for e in checked.errors}
    errors.print(
        f"[bold red]{path}: {len(checked.errors)} problem(s) on {len(lines)} line(s); "
        "nothing was sent.[/]"
    )
    errors.print(
        table(
            None,
            ["line", "field", "rule", "message"],
            [[e.line, e.field, e.rule, e.message] for e in checked.errors],
        )
    )


#: the figures shown in tables: counts and euros (breakdowns would not fit)
SHOWN = [f.name for f in REPORT_FIGURES if f.kind is not FigureKind.BREAKDOWN]
ROW_COLUMNS = ["line", "commitment", "period", "revision", *SHOWN]


def _show_rows(checked: Checked, summary: str) -> None:
    rows = [
        [
            r.line,
            r.report.commitment_id,
            r.report.period,
            r.report.revision,
            *(getattr(r.report, name) for name in SHOWN),
        ]
        for r in checked.rows
    ]
    console.print(table(None, ROW_COLUMNS, rows))
    console.print(summary)


@app.command("import", help=IMPORT_HELP)
@handled
def import_csv(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="The CSV file.", exists=True, dir_okay=False, readable=True)
    ],
    partner: Annotated[
        str | None,
        typer.Option(help="The reporting partner's id (default: the API key's partner)."),
    ] = None,
    via: Annotated[Via, typer.Option(help="How to send the reports.")] = Via.KAFKA,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only; send nothing.")] = False,
    producer: Annotated[
        str, typer.Option(help="The producer named in each report.")
    ] = "pactctl-import",
    signing_key: Annotated[
        str | None,
        typer.Option(
            envvar="PACT_SIGNING_KEY",
            help="Sign each report with this Ed25519 private key (base64), for partners that "
            "registered its public key.",
            show_default=False,
        ),
    ] = None,
) -> None:
    s = settings(ctx)
    if signing_key is not None:
        check_signing_key(signing_key)
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CliError(f"{file} is not UTF-8 text (export the sheet as CSV UTF-8)") from exc
    checked = check_progress_csv(
        text, partner_id=_partner(s, partner, dry_run), producer=producer, today=date.today()
    )
    summary: dict[str, Any] = {
        "file": str(file),
        "valid_rows": len(checked.rows),
        "errors": [e.__dict__ for e in checked.errors],
        "sent": 0,
        "dry_run": dry_run,
    }
    if checked.errors:
        if s.json_output:
            emit_json(summary)
        else:
            _show_errors(checked, file)
        raise typer.Exit(1)
    reports = [r.report for r in checked.rows]
    if dry_run:
        if s.json_output:
            emit_json(summary | {"reports": [r.to_jsonable() for r in reports]})
        else:
            _show_rows(checked, f"{file}: {len(reports)} valid report(s); dry run, nothing sent")
        return
    if via is Via.KAFKA:
        topic = s.topic(PROGRESS_REPORTED)
        try:
            sent = asyncio.run(send_to_kafka(s.kafka_bootstrap, topic, reports, signing_key))
        except SendError as exc:
            raise CliError(str(exc)) from exc
        where = f"Kafka topic {topic}"
    else:
        sent = len(send_over_http(s.platform(), reports, signing_key))
        where = f"{s.monitoring_url}/progress"
    if s.json_output:
        emit_json(
            summary
            | {
                "sent": sent,
                "via": via.value,
                "to": where,
                "event_ids": [str(r.event_id) for r in reports],
            }
        )
    else:
        _show_rows(checked, f"{file}: {sent} report(s) sent to {where}")


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
    if s.json_output:
        emit_json(page)
        return
    items = page.get("items", [])
    console.print(
        table(
            f"Rejected reports ({len(items)}{'+' if page.get('next') else ''})",
            ["rejected at", "commitment", "period", "reason", "field", "message"],
            [[r.get("rejected_at"), r.get("commitment_id"), r.get("period"), r.get("reason"),
              r.get("field"), r.get("message")] for r in items],
        )
    )  # fmt: skip


@app.command("show")
@handled
def show(ctx: typer.Context, commitment_id: str) -> None:
    """A commitment's progress: achieved so far, on track or not, its periods and firing
    alerts (GET /progress/commitments/{id})."""
    s = settings(ctx)
    doc = s.platform().get("monitoring", f"/progress/commitments/{commitment_id}")
    if s.json_output:
        emit_json(doc)
        return
    share = doc.get("share") or 0.0
    console.print(
        f"[bold]{doc.get('title')}[/] ({commitment_id}, {doc.get('status')}): "
        f"{doc.get('achieved', 0):,.0f} of {doc.get('target_value', 0):,.0f} "
        f"{doc.get('metric')} ({share:.0%}), on track: {doc.get('on_track')}"
    )
    console.print(
        table(
            "Periods",
            ["period", "revision", "metric value", "cumulative", *SHOWN],
            [[p.get("period"), p.get("revision"), p.get("value"), p.get("cumulative"),
              *(p.get(name) for name in SHOWN)] for p in doc.get("periods", [])],
        )
    )  # fmt: skip
    if doc.get("alerts"):
        console.print(
            table("Alerts firing", ["rule", "severity", "due", "message"],
                  [[a.get("rule"), a.get("severity"), a.get("due_date"), a.get("message")]
                   for a in doc["alerts"]])
        )  # fmt: skip
