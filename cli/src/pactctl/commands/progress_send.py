"""`pactctl progress send`: progress reports written one JSON object per line, checked line
by line, then sent to partners.progress-reported.v1 as a partner system sends them (key
partner_id). A Kafka client of its own (aiokafka) for those whose kcat or librdkafka is
too old for the local broker (README, Local infrastructure)."""

from __future__ import annotations

import asyncio
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from pact_contracts import MAX_REPORT_BYTES, PROGRESS_REPORTED

from ..import_checks import known_commitments, unknown_commitments
from ..kafka import SendError, send_to_kafka
from ..output import CliError, emit_json, handled
from ..progress_jsonl import check_progress_jsonl
from ..settings import Settings, settings
from .keys import check_signing_key
from .progress_import import show_errors, show_rows

SEND_HELP = "\n\n".join(
    (
        "Send progress reports from a JSON Lines file: one ProgressReported object per line, "
        "as on the topic partners.progress-reported.v1 (README: Connecting a partner system). "
        "Every line is checked first; if any line is bad, the problems are listed with line "
        "number, field and rule, and nothing is sent.",
        "A line is read as monitoring reads a report: one JSON object of at most "
        f"{MAX_REPORT_BYTES:,} bytes, each field once, numbers finite, counts whole numbers "
        "(100, not 1e2 or 100.0), then the contract's rules (required fields, period YYYY-Qn "
        "or YYYY-MM, breakdowns summing to people_trained, ...). A period must have begun; a "
        "commitment, period and revision and an event_id appear once in the file. A line "
        "without event_id or occurred_at gets one; without partner_id, the API key's partner. "
        "With an API key, every commitment_id must be one of the partner's (GET /commitments).",
        "Each report goes to Kafka keyed by its commitment_id, signed with "
        "[bold]--signing-key[/] when given; then a summary: how many were sent, and where.",
        "Example file (reports.jsonl):",
        '  {"partner_id": "p-3f2a9c1e", "commitment_id": "c-7b1d3e5f", "period": "2026-Q2", '
        '"people_trained": 120, "by_country": {"DE": 70, "FR": 50}}\n'
        '  {"partner_id": "p-3f2a9c1e", "commitment_id": "c-7b1d3e5f", "period": "2026-Q1", '
        '"revision": 2, "people_trained": 95}',
    )
)


def _sender(s: Settings) -> str | None:
    """The partner the API key belongs to (None: no key, or the secretariat's)."""
    if not s.api_key:
        return None
    return s.platform().token().partner_id


@handled
def send_jsonl(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(help="The JSON Lines file.", exists=True, dir_okay=False, readable=True),
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only; send nothing.")] = False,
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
        raise CliError(f"{file} is not UTF-8 text") from exc
    partner_id = _sender(s)
    checked = check_progress_jsonl(text, partner_id=partner_id, today=date.today())
    if partner_id is not None and checked.rows and not checked.errors:
        known = known_commitments(s.platform(), partner_id)
        checked.errors.extend(unknown_commitments(checked, known, partner_id))
    summary: dict[str, Any] = {
        "file": str(file),
        "valid_lines": len(checked.rows),
        "errors": [e.__dict__ for e in checked.errors],
        "sent": 0,
        "dry_run": dry_run,
    }
    if checked.errors:
        if s.json_output:
            emit_json(summary)
        else:
            show_errors(checked, file)
        raise typer.Exit(1)
    reports = [r.report for r in checked.rows]
    topic = s.topic(PROGRESS_REPORTED)
    sent = 0
    if not dry_run:
        try:
            sent = asyncio.run(send_to_kafka(s.kafka_bootstrap, topic, reports, signing_key))
        except SendError as exc:
            raise CliError(
                f"{exc}; some reports may have been sent before: sending the file again is "
                "safe (a revision monitoring already has is refused, not counted twice)"
            ) from exc
    commitments = len({r.commitment_id for r in reports})
    said = (
        f"{file}: {len(reports)} valid report(s) on {commitments} commitment(s); dry run, "
        "nothing sent"
        if dry_run
        else f"{file}: {sent} report(s) on {commitments} commitment(s) sent to Kafka topic "
        f"{topic} at {s.kafka_bootstrap}"
    )
    if s.quiet:
        sys.stdout.write("".join(f"{r.event_id}\n" for r in reports))
    elif s.json_output:
        emit_json(
            summary | {"sent": sent, "to": topic, "event_ids": [str(r.event_id) for r in reports]}
        )
    else:
        show_rows(checked, said)
