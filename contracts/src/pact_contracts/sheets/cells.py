"""One line of a progress sheet read cell by cell: counts, euros and breakdowns as the
ProgressReported contract declares them, each problem noted against its line and column.
progress_csv checks whole files with it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pact_contracts.progress import FigureKind, ReportFigure, report_figures
from pact_contracts.sheets.numbers import InputProblem, number, whole

#: the report's figures, as the contract declares them
FIGURES = report_figures()
BROKEN_DOWN = "people_trained"  # what every breakdown sums to (the contract's rule)


def figure_columns(f: ReportFigure) -> dict[str, str]:
    """A figure's columns, each with the breakdown key it holds (or the figure's name)."""
    if f.kind is FigureKind.BREAKDOWN and f.enum_keys:
        return {f"{f.name}_{key}": key for key in f.keys}
    return {f.name: f.name}


FIGURES_BY_NAME = {f.name: f for f in FIGURES}
#: how a code-list breakdown's unknown key is explained (others: the list of keys)
UNKNOWN_KEY = {
    "by_country": "{code} is not a country code of the EU-27 or IS, LI, NO "
    "(ISO 3166-1 alpha-2{hint})",
}
MAX_COUNT = 1_000_000_000
MAX_REVISION = 1_000_000
_WHOLE = re.compile(r"^[0-9]+$")
_DIGITISH = re.compile(r"^[0-9][0-9,. ]*$")
_CODED_ITEM = re.compile(r"^([A-Za-z0-9_-]+)\s*:\s*(\S+)$")


@dataclass(frozen=True)
class RowError:
    """What is wrong with one line: the line number (the header is line 1), the field
    (column) and the rule it breaks."""

    line: int
    field: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


class Line:
    """Errors and parsed values of one line."""

    def __init__(self, number: int, cells: dict[str, str], comma: bool = False) -> None:
        self.number = number
        self.cells = cells
        #: decimal commas (1.234,50): a semicolon-separated file, or --decimal-comma
        self.comma = comma
        self.errors: list[RowError] = []

    def fail(self, column: str, rule: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, rule, message))

    def count(self, column: str, *, minimum: int = 0, maximum: int = MAX_COUNT) -> int | None:
        text = self.cells.get(column, "")
        if not text:
            return None
        if text.startswith("-") and _WHOLE.match(text[1:]):
            self.fail(column, "negative", f"{text} is negative; counts are 0 or more")
            return None
        try:
            value = int(text) if _WHOLE.match(text) else whole(text, decimal_comma=self.comma)
        except InputProblem:
            sep = "." if self.comma else ","
            hint = f" (thousands grouped by three: 1{sep}200)" if _DIGITISH.match(text) else ""
            self.fail(column, "not_a_whole_number", f"{text!r} is not a whole number{hint}")
            return None
        if not minimum <= value <= maximum:
            self.fail(column, "out_of_range", f"{value} is not between {minimum} and {maximum:,}")
            return None
        return value

    def amount(self, column: str) -> float | None:
        text = self.cells.get(column, "")
        if not text:
            return None
        try:
            if text.startswith("-"):
                raise InputProblem("negative", "negative")
            return number(text, decimal_comma=self.comma)
        except InputProblem as exc:
            form = "150.000,50" if self.comma else "150,000.50 or 150000.50"
            other = (
                ""
                if self.comma
                else "; decimal commas: a semicolon-separated file or --decimal-comma"
            )
            rule = "decimal_comma" if exc.rule == "decimal_comma" else "not_a_number"
            self.fail(
                column, rule,
                f"{text!r} is not an amount in euros, 0 or more (write e.g. {form}{other})",
            )  # fmt: skip
            return None

    def breakdown(self, columns: dict[str, str]) -> dict[str, int] | None:
        if not any(self.cells.get(c) for c in columns):
            return None
        values = {key: self.count(column) for column, key in columns.items()}
        return {k: v for k, v in values.items() if v is not None}

    def coded(self, f: ReportFigure) -> dict[str, int] | None:
        """A breakdown by a code list in one cell: "DE:70;FR:50"."""
        text = self.cells.get(f.name, "")
        if not text:
            return None
        noun = f.name.removeprefix("by_")
        keys = {key.upper(): key for key in f.keys}
        example = ";".join(f"{k}:{v}" for k, v in (f.example or {}).items())
        out: dict[str, int] = {}
        for item in (part.strip() for part in text.split(";")):
            if item == "":
                continue
            match = _CODED_ITEM.match(item)
            if match is None or not _WHOLE.match(match[2]):
                self.fail(
                    f.name,
                    f"{noun}_format",
                    f"{item!r} is not {noun.upper()}:COUNT (write e.g. {example})",
                )
                continue
            code, people = match[1].upper(), int(match[2])
            if code not in keys:
                hint = "; Greece is GR" if code == "EL" else ""
                said = "by_country" if f.name.endswith("by_country") else f.name
                unknown = UNKNOWN_KEY.get(said, "{code} is not one of " + ", ".join(f.keys))
                self.fail(f.name, f"unknown_{noun}", unknown.format(code=code, hint=hint))
            elif keys[code] in out:
                self.fail(f.name, f"duplicate_{noun}", f"{code} is given twice")
            else:
                out[keys[code]] = people
        return out

    def figure(self, f: ReportFigure) -> Any:
        if f.kind is FigureKind.COUNT:
            return self.count(f.name)
        if f.kind is FigureKind.EUROS:
            return self.amount(f.name)
        if f.enum_keys:
            return self.breakdown(figure_columns(f))
        return self.coded(f)


def sum_check(
    line: Line, name: str, breakdown: dict[str, int] | None, total: int, of: str = BROKEN_DOWN
) -> None:
    """A breakdown must sum to its figure (unless one of its cells is wrong already)."""
    if breakdown is None or any(e.field.startswith(name) for e in line.errors):
        return
    given = sum(breakdown.values())
    if given != total:
        columns = f"{name}_*" if len(figure_columns(FIGURES_BY_NAME[name])) > 1 else name
        line.fail(name, "breakdown_sum", f"{columns} sum to {given}, but {of} is {total}")
