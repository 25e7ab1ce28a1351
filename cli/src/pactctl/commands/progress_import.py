"""`pactctl progress import`: a partner's period figures from a spreadsheet export,
checked row by row, then against the platform (its commitments, what a revision clears)."""

from __future__ import annotations

import asyncio
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from pact_contracts import PROGRESS_REPORTED
from pact_contracts.progress import FigureKind, ReportFigure

from ..import_checks import (
    Cleared,
    Unchecked,
    cleared,
    keep_unset,
    known_commitments,
    stored_periods,
    unknown_commitments,
)
from ..kafka import SendError, send_over_http, send_to_kafka
from ..output import CliError, console, emit_json, errors, handled, table
from ..progress_cells import FIGURES as REPORT_FIGURES
from ..progress_cells import figure_columns
from ..progress_csv import REQUIRED, Checked, check_progress_csv
from ..settings import Settings, settings
from .keys import check_signing_key


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
        "0 or more; thousands may be grouped (1,200). Comma- and semicolon-separated files are "
        "both read; in a semicolon-separated file (or with --decimal-comma) amounts may use a "
        "decimal comma (150.000,50).",
        "Before sending, every commitment_id is checked against your commitments "
        "(GET /commitments): an unknown one is refused by line. A row that replaces a stored "
        "period but leaves figures empty clears them: the import says which, and "
        "[bold]--keep-unset[/] carries the stored ones over instead.",
        "Sent to Kafka (partners.progress-reported.v1, key partner_id) by default, or with "
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


def show_errors(checked: Checked, path: Path) -> None:
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


def show_rows(checked: Checked, summary: str) -> None:
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


def _checked_online(
    s: Settings, checked: Checked, partner_id: str, keep: bool, online: bool
) -> list[Cleared]:
    """The rows' commitments are the partner's; what a revision would clear. Refusals are
    added to `checked.errors`; the cleared figures are returned (or carried over)."""
    if not online or not checked.rows:
        return []
    platform = s.platform()
    checked.errors.extend(
        unknown_commitments(checked, known_commitments(platform, partner_id), partner_id)
    )
    checked.errors.sort(key=lambda e: e.line)
    if checked.errors:
        return []
    try:
        stored = stored_periods(platform, {r.report.commitment_id for r in checked.rows})
    except Unchecked as exc:
        errors.print(f"[yellow]Warning:[/] figures a revision would clear not checked: {exc}")
        return []
    lost = cleared(checked.rows, stored)
    if keep:
        keep_unset(checked, lost)
    return lost


def _say_cleared(lost: list[Cleared], keep: bool) -> None:
    for c in lost:
        listed = ", ".join(f"{k} {v:,}" for k, v in c.figures.items())
        if keep:
            errors.print(f"line {c.line}: kept the stored {listed} of {c.commitment_id} {c.period}")
        else:
            errors.print(
                f"[yellow]Warning:[/] line {c.line}: this revision of {c.commitment_id} "
                f"{c.period} leaves out, and so clears, the stored {listed} "
                "(--keep-unset carries them over)"
            )


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
    commitment: Annotated[
        str | None,
        typer.Option(
            help="The commitment of rows that name none (or of a file without the "
            "commitment_id column)."
        ),
    ] = None,
    via: Annotated[Via, typer.Option(help="How to send the reports.")] = Via.KAFKA,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only; send nothing.")] = False,
    decimal_comma: Annotated[
        bool,
        typer.Option(
            "--decimal-comma",
            help="Amounts use a decimal comma (1.234,50); the "
            "default in semicolon-separated files.",
        ),
    ] = False,
    keep_unset: Annotated[
        bool,
        typer.Option(
            "--keep-unset",
            help="A revision that leaves a figure empty keeps the "
            "stored value instead of clearing it.",
        ),
    ] = False,
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
    partner_id = _partner(s, partner, dry_run)
    checked = check_progress_csv(
        text, partner_id=partner_id, producer=producer, today=date.today(),
        decimal_comma=True if decimal_comma else None, commitment_id=commitment,
    )  # fmt: skip
    lost = _checked_online(s, checked, partner_id, keep_unset, online=bool(s.api_key))
    summary: dict[str, Any] = {
        "file": str(file),
        "valid_rows": len(checked.rows),
        "errors": [e.__dict__ for e in checked.errors],
        "sent": 0,
        "dry_run": dry_run,
        "cleared" if not keep_unset else "kept": [c.__dict__ for c in lost],
    }
    if checked.errors:
        if s.json_output:
            emit_json(summary)
        else:
            show_errors(checked, file)
        raise typer.Exit(1)
    _say_cleared(lost, keep_unset)
    reports = [r.report for r in checked.rows]
    if dry_run:
        if s.json_output:
            emit_json(summary | {"reports": [r.to_jsonable() for r in reports]})
        else:
            show_rows(checked, f"{file}: {len(reports)} valid report(s); dry run, nothing sent")
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
    if s.quiet:
        sys.stdout.write("".join(f"{r.event_id}\n" for r in reports))
    elif s.json_output:
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
        show_rows(checked, f"{file}: {sent} report(s) sent to {where}")
