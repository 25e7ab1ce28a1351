"""What pactctl prints: Rich tables on a terminal, tab-separated lines when piped, JSON or
CSV with `-o`, ids alone with `--quiet`; errors on stderr."""

from __future__ import annotations

import csv
import functools
import io
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NoReturn, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .api import ApiError

if TYPE_CHECKING:
    from .settings import Settings


class _Console(Console):
    """A rich Console whose width is the terminal's, or COLUMNS, when it prints. Rich fixes
    COLUMNS once, when the console is made (here: at import); commands run in-process one
    after another (CliRunner, tests) would then all print at the width of the first."""

    def __init__(self, *, stderr: bool = False) -> None:
        super().__init__(stderr=stderr)
        self._width = None  # rich reads the terminal and COLUMNS again when it is None


console = _Console()
errors = _Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


class Format(StrEnum):
    """`-o`: table (the default on a terminal; tab-separated when piped), wide (every
    column), json (the API's answer), csv."""

    TABLE = "table"
    WIDE = "wide"
    JSON = "json"
    CSV = "csv"


class CliError(Exception):
    """A problem to tell the user about, without a traceback."""


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


#: Columns that hold ids: never wrapped or cut, so they can be copied.
IDS = frozenset({"id", "partner_id", "commitment_id", "subject_id", "fingerprint",
                 "delivery_id", "event_id", "partner", "commitment"})  # fmt: skip

#: Columns shown right-aligned (numbers).
NUMERIC = frozenset(
    {"target", "trained", "reached", "programmes", "expected", "actual", "line", "revision",
     "commitments", "version", "cumulative", "metric value", "investment €", "people trained",
     "people reached", "target_value", "people_trained", "people_reached", "investment_eur",
     "programmes_developed", "attempts", "episode", "value", "baseline"}
)  # fmt: skip


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Table:
    rows = [list(r) for r in rows]
    out = Table(title=title, title_justify="left", header_style="bold")
    for i, column in enumerate(columns):
        numeric = column.endswith(("%", "#")) or column in NUMERIC
        if column in IDS:
            width = max([len(column), *(len(str(r[i])) for r in rows if r[i] is not None)])
            out.add_column(column, no_wrap=True, min_width=width)
        else:
            out.add_column(column, justify="right" if numeric else "left", overflow="fold")
    for row in rows:
        out.add_row(*(cell(v) for v in row))
    return out


def cell(value: Any) -> str:
    if value is None:
        return "[dim]-[/]"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list | tuple):
        return escape(", ".join(str(v) for v in value))
    return escape(str(value))


def plain(value: Any) -> str:
    """A value in a tab-separated or CSV line: no thousands separators, lists joined by
    commas, nothing for null, no tabs or newlines inside."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    if isinstance(value, list | tuple):
        return ",".join(plain(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return " ".join(str(value).split()) if isinstance(value, str) else str(value)


@dataclass
class Listing:
    """What a list or show command prints, in every format: `doc` is the API's answer (for
    -o json), `rows` the rows keyed by column, `columns` the default table's, `wide` the
    extra ones of -o wide (and csv)."""

    title: str | None
    columns: list[str]
    rows: list[dict[str, Any]]
    doc: Any
    wide: list[str] = field(default_factory=list)
    id_column: str = "id"
    #: what --quiet prints, when not the id column of the rows
    ids: list[str] | None = None


def to_tty() -> bool:
    return sys.stdout.isatty()


#: A spreadsheet takes a cell that begins with one of these for a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any) -> str:
    """A value as a CSV cell that a spreadsheet shows as written, never runs: text from the
    services (a partner's name like `=HYPERLINK(...)`) that begins like a formula gets a
    leading ' (OWASP's CSV injection rule, as monitoring's annual CSV does); numbers, even
    negative ones, stay numbers."""
    cell = plain(value)
    if isinstance(value, str | list | tuple) and cell.startswith(FORMULA_STARTS):
        return f"'{cell}"
    return cell


def delimited(columns: Sequence[str], rows: Iterable[dict[str, Any]], dialect: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, dialect=dialect, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([spreadsheet_cell(r.get(c)) for c in columns] for r in rows)
    return out.getvalue()


def tsv(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    """Tab-separated, a header line first; tabs and newlines never inside a value."""
    lines = ["\t".join(columns)]
    lines += ["\t".join(plain(r.get(c)).replace("\t", " ") for c in columns) for r in rows]
    return "\n".join(lines) + "\n"


def show(s: Settings, listing: Listing) -> None:
    """Print a listing as the options ask: --quiet ids, -o json|csv|wide|table, and by
    default a table on a terminal or tab-separated lines when piped."""
    if s.quiet:
        ids = (
            listing.ids
            if listing.ids is not None
            else [str(row.get(listing.id_column, "")) for row in listing.rows]
        )
        sys.stdout.write("".join(f"{i}\n" for i in ids))
        return
    if s.output is Format.JSON:
        emit_json(listing.doc)
        return
    every = [*listing.columns, *[c for c in listing.wide if c not in listing.columns]]
    if s.output is Format.CSV:
        sys.stdout.write(delimited(every, listing.rows, "excel"))
        return
    columns = every if s.output is Format.WIDE else listing.columns
    if s.output is None and not to_tty():
        sys.stdout.write(tsv(columns, listing.rows))
        return
    rows = [[r.get(c) for c in columns] for r in listing.rows]
    console.print(table(listing.title, columns, rows))


def fields(doc: dict[str, Any], title: str | None = None, id_field: str = "id") -> Listing:
    """One object as a field/value listing (show commands); --quiet prints its id."""
    rows = [{"field": k, "value": v} for k, v in doc.items()]
    return Listing(title, ["field", "value"], rows, doc, ids=[str(doc.get(id_field, ""))])


def fail(message: str, code: int = 1) -> NoReturn:
    errors.print(f"[bold red]Error:[/] {escape(message)}")
    raise typer.Exit(code)


def report_api_error(exc: ApiError) -> None:
    """The service's refusal, each problem once, in the user's words (see errors.py)."""
    from .errors import explain

    for line in explain(exc):
        errors.print(escape(line), highlight=False)


def handled(fn: Callable[P, R]) -> Callable[P, R]:
    """Errors from the services or the input become a message and exit status 1."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except ApiError as exc:
            report_api_error(exc)
            raise typer.Exit(1) from exc
        except CliError as exc:
            fail(str(exc))

    return wrapper
