"""A partner's period figures from a spreadsheet export (CSV), checked row by row against
the ProgressReported contract before anything is sent. Pure: text in, reports or errors out.

One row per commitment and period. Columns (header row required, any order; only
commitment_id, period and the contract's required figures are required; an empty cell means
"not given"):

  commitment_id        the commitment's id from the pledge
  period               YYYY-Qn (quarterly commitments) or YYYY-MM (monthly ones)
  revision             1 when empty; a higher revision replaces earlier figures
  then every figure of the contract (`report_figures`), in its order:
  a count or euros     a column named as the field (people_trained, investment_eur, ...)
  a breakdown by an enum        a column per key: by_level_basic, by_gender_female, ...
  a breakdown by a code list    one column: by_country "DE:70;FR:50" (EU-27 and IS, LI, NO)

Each breakdown given (any of its cells filled) must sum exactly to people_trained.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError

from pact_contracts.progress import FigureKind, ProgressReported
from pact_contracts.sheets.cells import (
    BROKEN_DOWN,
    FIGURES,
    MAX_REVISION,
    Line,
    RowError,
    figure_columns,
    sum_check,
)
from pact_contracts.sheets.periods import Period

REQUIRED = ("commitment_id", "period", *(f.name for f in FIGURES if f.required))
COLUMNS: tuple[str, ...] = (
    "commitment_id",
    "period",
    "revision",
    *(column for f in FIGURES for column in figure_columns(f)),
)


@dataclass(frozen=True)
class Row:
    line: int
    report: ProgressReported


@dataclass
class Checked:
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def _check_line(line: Line, partner_id: str, producer: str, today: date | None) -> dict[str, Any]:
    c = line.cells
    for column in REQUIRED:
        if not c.get(column):
            line.fail(column, "required", f"{column} is required")
    if len(c.get("commitment_id", "")) > 64:
        line.fail("commitment_id", "too_long", "commitment_id is longer than 64 characters")
    period_text = c.get("period", "").upper()
    if period_text:
        try:
            period = Period.parse(period_text)
        except ValueError as exc:
            line.fail("period", "period_format", str(exc))
        else:
            if today is not None and period.start > today:
                line.fail(
                    "period",
                    "period_in_future",
                    f"{period} begins on {period.start}, after today ({today}); "
                    "report it once it has begun",
                )
    revision = line.count("revision", minimum=1, maximum=MAX_REVISION)
    values: dict[str, Any] = {
        "partner_id": partner_id,
        "producer": producer,
        "commitment_id": c.get("commitment_id", ""),
        "period": period_text,
        "revision": revision or 1,
        **{f.name: line.figure(f) for f in FIGURES},
    }
    for f in FIGURES:  # each breakdown sums to its figure (a wrong people_trained: no check)
        if f.kind is FigureKind.BREAKDOWN and not (f.of == BROKEN_DOWN and values[f.of] is None):
            sum_check(line, f.name, values[f.name], values[f.of] or 0, f.of)
    return values


def _report(
    line: Line, values: dict[str, Any], new_id: Callable[[], uuid.UUID], now: datetime
) -> ProgressReported | None:
    """The line's report, or None with the contract's refusals noted on the line."""
    if line.errors:
        return None
    try:
        return ProgressReported(event_id=new_id(), occurred_at=now, **values)
    except ValidationError as exc:  # a rule of the contract not checked above
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "row"
            line.fail(where, err["type"], err["msg"])
        return None


def check_row(
    cells: dict[str, str],
    *,
    partner_id: str,
    producer: str,
    today: date | None = None,
    now: datetime | None = None,
    decimal_comma: bool = False,
) -> tuple[ProgressReported | None, list[RowError]]:
    """One report typed into a form, its fields named as the sheet's columns: the same
    checks as a line of a file (the report, or every problem by field)."""
    line = Line(1, {k: v.strip() for k, v in cells.items()}, decimal_comma)
    values = _check_line(line, partner_id, producer, today)
    at = now or datetime.now(UTC)
    return _report(line, values, uuid.uuid4, at), line.errors


def _header_errors(header: list[str]) -> list[RowError]:
    errors = []
    for column in sorted({h for h in header if header.count(h) > 1}):
        errors.append(RowError(1, column, "duplicate_column", f"column {column} appears twice"))
    for column in header:
        if column not in COLUMNS:
            errors.append(
                RowError(
                    1,
                    column or "(empty)",
                    "unknown_column",
                    f"unknown column {column!r}; the columns are: {', '.join(COLUMNS)}",
                )
            )
    for column in REQUIRED:
        if column not in header:
            errors.append(RowError(1, column, "missing_column", f"column {column} is required"))
    return errors


def check_progress_csv(
    text: str,
    *,
    partner_id: str,
    producer: str = "pactctl-import",
    today: date | None = None,
    clock: Callable[[], datetime] | None = None,
    new_id: Callable[[], uuid.UUID] = uuid.uuid4,
    decimal_comma: bool | None = None,
    commitment_id: str | None = None,
) -> Checked:
    """Every row checked; `rows` holds the reports of the good ones, `errors` every problem
    of the bad ones (send nothing unless `ok`). `today`: refuse periods not yet begun.
    `decimal_comma`: amounts written 1.234,50 (default: when the file is semicolon-separated).
    `commitment_id`: the commitment of rows that name none (or of a file without the column)."""
    now = (clock or (lambda: datetime.now(UTC)))()
    text = text.removeprefix("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    checked = Checked()
    header = [h.strip().lower() for h in next(reader, [])]
    if not any(header):
        checked.errors.append(RowError(1, "header", "no_header", "the file has no header row"))
        return checked
    comma = delimiter == ";" if decimal_comma is None else decimal_comma
    given = commitment_id is not None and "commitment_id" not in header
    checked.errors.extend(_header_errors(header + ["commitment_id"] * given))
    if checked.errors:
        return checked
    seen: dict[tuple[str, str, int], int] = {}
    previous_end = reader.line_num
    for cells in reader:
        number, previous_end = previous_end + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        row = {h: v.strip() for h, v in zip(header, cells, strict=False)}
        if commitment_id is not None and not row.get("commitment_id"):
            row["commitment_id"] = commitment_id
        line = Line(number, row, comma)
        if len(cells) > len(header):
            line.fail("row", "extra_cells", f"{len(cells)} cells, but the header has {len(header)}")
        values = _check_line(line, partner_id, producer, today)
        key = (values["commitment_id"], values["period"], values["revision"])
        if not line.errors and key in seen:
            line.fail(
                "revision",
                "duplicate_row",
                f"commitment {key[0]}, period {key[1]}, revision {key[2]} is also on line "
                f"{seen[key]}; raise the revision to correct figures",
            )
        seen.setdefault(key, number)
        if (report := _report(line, values, new_id, now)) is not None:
            checked.rows.append(Row(number, report))
        checked.errors.extend(line.errors)
    if not checked.rows and not checked.errors:
        checked.errors.append(RowError(2, "row", "no_rows", "the file has no data rows"))
    return checked
