"""The cells of a partnership target as the secretariat writes them on the targets form: one
a line, the level, country and gender it is about (those that apply, any order), a colon and
what it needs: `advanced, RO: 4,000`, `female: 2,500`. Pure."""

from __future__ import annotations

from typing import Any

from pact_contracts.sheets.numbers import InputProblem, number
from pact_contracts.vocabulary import COUNTRIES, Gender, SkillLevel

from ..i18n import Gettext
from .work_forms import Form

LEVELS = {level.value for level in SkillLevel}
GENDERS = {gender.value for gender in Gender}


def _cell(line: str) -> dict[str, Any] | None:
    scope, colon, value = line.rpartition(":")
    if not colon:
        return None
    cell: dict[str, Any] = {}
    for word in (w.strip() for w in scope.split(",")):
        kind = (
            "level" if word.lower() in LEVELS
            else "gender" if word.lower() in GENDERS
            else "country" if word.upper() in COUNTRIES
            else None
        )  # fmt: skip
        if kind is None or kind in cell:
            return None
        cell[kind] = word.upper() if kind == "country" else word.lower()
    try:
        cell["value"] = number(value.strip())
    except InputProblem:
        return None
    return cell


def cells_of(form: Form, _: Gettext) -> list[dict[str, Any]]:
    """The form's cells (none if left empty); a line the portal cannot read is an error."""
    cells: list[dict[str, Any]] = []
    for n, line in enumerate(form.text("cells").splitlines(), start=1):
        if not line.strip():
            continue
        cell = _cell(line)
        if cell is None:
            form.fail(
                "cells",
                _("Line %(line)s: write a level, country or gender, a colon and a number.", line=n),
            )
        else:
            cells.append(cell)
    return cells
