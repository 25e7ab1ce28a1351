"""What pactctl prints: Rich tables for people, JSON with --json, errors on stderr."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NoReturn, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .api import ApiError

console = Console()
errors = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


class CliError(Exception):
    """A problem to tell the user about, without a traceback."""


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Table:
    out = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        numeric = column.endswith(("%", "#")) or column in NUMERIC
        out.add_column(column, justify="right" if numeric else "left", overflow="fold")
    for row in rows:
        out.add_row(*(cell(v) for v in row))
    return out


#: Columns shown right-aligned (numbers).
NUMERIC = frozenset(
    {"target", "trained", "reached", "programmes", "expected", "actual", "line", "revision",
     "commitments", "version", "cumulative", "metric value", "investment €", "people trained",
     "people reached"}
)  # fmt: skip


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


def fail(message: str, code: int = 1) -> NoReturn:
    errors.print(f"[bold red]Error:[/] {escape(message)}")
    raise typer.Exit(code)


def report_api_error(exc: ApiError) -> None:
    errors.print(f"[bold red]Error:[/] {escape(str(exc))}")
    for problem in exc.problems:
        errors.print(
            f"  - {escape(str(problem.get('field')))}: {escape(str(problem.get('message')))}"
        )


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
