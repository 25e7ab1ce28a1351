"""Reading the work pages' forms (pledge, amend, targets, report) and telling people what is
wrong, field by field: what the portal can check before sending (numbers, dates, required
fields), then every problem the API names (its 422 lists them all). Pure but for `read`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request

from pact_contracts.sheets.numbers import InputProblem, number

from ..adapters.api import ApiError
from ..i18n import Gettext

#: milestone rows a form offers at first (and how many more "Add rows" adds)
MILESTONE_ROWS = 3
MAX_MILESTONE_ROWS = 120


@dataclass
class Form:
    """The submitted values (text, or lists for checkboxes) and the errors by field."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def text(self, name: str) -> str:
        value = self.values.get(name, "")
        return value.strip() if isinstance(value, str) else ""

    def fail(self, name: str, message: str) -> None:
        self.errors[name] = f"{self.errors[name]} {message}" if name in self.errors else message

    def required(self, name: str, _: Gettext) -> str:
        value = self.text(name)
        if not value:
            self.fail(name, _("This field is required."))
        return value

    def amount(self, name: str, _: Gettext, *, required: bool = True) -> float | None:
        text = self.text(name)
        if not text:
            if required:
                self.fail(name, _("This field is required."))
            return None
        try:
            return number(text)
        except InputProblem as exc:
            self.fail(name, str(exc))
            return None

    def day(self, name: str, _: Gettext, *, required: bool = True) -> str | None:
        text = self.text(name)
        if not text:
            if required:
                self.fail(name, _("This field is required."))
            return None
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            self.fail(name, _("%(text)s is not a date YYYY-MM-DD.", text=text))
            return None

    def chosen(self, name: str) -> list[str]:
        value = self.values.get(name, [])
        return [v for v in value if v] if isinstance(value, list) else []


async def read(request: Request, lists: tuple[str, ...] = ()) -> Form:
    """The form's fields; `lists` are checkbox groups (every value kept)."""
    data: FormData = await request.form()
    values: dict[str, Any] = {}
    for key in data:
        if key == "csrf_token":
            continue
        if key in lists:
            values[key] = [str(v) for v in data.getlist(key)]
        else:
            raw = data.get(key)
            values[key] = raw if isinstance(raw, str) else ""
    return Form(values)


def milestone_count(form: Form) -> int:
    """Rows to show: those filled in, those asked for ("Add rows"), at least the default."""
    filled = [int(m[1]) for k in form.values if (m := re.fullmatch(r"milestone_\w+_(\d+)", k))]
    rows = max([MILESTONE_ROWS, *(n + 1 for n in filled)])
    if form.values.get("more_rows"):
        rows += MILESTONE_ROWS
    return min(rows, MAX_MILESTONE_ROWS)


def milestones(form: Form, _: Gettext) -> list[dict[str, Any]]:
    """The rows with a date or a value: both are needed."""
    out = []
    for i in range(milestone_count(form)):
        due_name, value_name = f"milestone_due_{i}", f"milestone_value_{i}"
        if not (form.text(due_name) or form.text(value_name)):
            continue
        due = form.day(due_name, _)
        value = form.amount(value_name, _)
        if due is not None and value is not None:
            out.append({"due_date": due, "value": value, "row": i})
    return out


def milestone_values(items: list[dict[str, Any]]) -> dict[str, Any]:
    """A commitment's milestones as the form's fields (to amend them)."""
    out: dict[str, Any] = {}
    for i, m in enumerate(items):
        out[f"milestone_due_{i}"] = str(m["due_date"])
        out[f"milestone_value_{i}"] = f"{m['value']:g}"
    return out


def field_of(api_field: str | None, rows: list[int] | None = None) -> str:
    """The form field an API's field names: `milestones.2.value` is the third milestone row
    sent (its row on the form may differ when rows were left empty); `countries.1` is the
    countries' group."""
    if not api_field:
        return "form"
    parts = api_field.split(".")
    if parts[0] == "milestones" and len(parts) >= 3 and parts[1].isdigit():
        index = int(parts[1])
        row = rows[index] if rows and index < len(rows) else index
        return f"milestone_{'due' if parts[2] == 'due_date' else 'value'}_{row}"
    return parts[0]


def api_errors(form: Form, exc: ApiError, rename: Callable[[str | None], str] = field_of) -> None:
    """Every problem of the API's answer, on its field (the message alone on the form)."""
    problems = exc.problems
    if not problems:
        form.fail(rename(exc.field), exc.message)
    for problem in problems:
        form.fail(rename(problem.get("field")), str(problem.get("message") or exc.message))
