"""A partnership target split by skill level, country and gender (its cells), and the
secretariat's call for pledges for the cells its members' commitments leave uncovered.
Pure Python."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .errors import RuleBroken


@dataclass(frozen=True)
class Cell:
    """What is needed at a level, in a country and of a gender (None: every one of them)."""

    level: str | None
    country: str | None
    gender: str | None
    value: float

    @property
    def key(self) -> tuple[str | None, str | None, str | None]:
        return (self.level, self.country, self.gender)


def check_cells(cells: Iterable[Cell], field: str = "cells") -> tuple[Cell, ...]:
    """Each cell names a level, a country or a gender, needs more than 0, and is named once."""
    seen: set[tuple[str | None, str | None, str | None]] = set()
    out = tuple(cells)
    for i, cell in enumerate(out):
        if cell.key == (None, None, None):
            raise RuleBroken(
                "cell_without_scope", f"{field}.{i}", "a cell names a level, a country or a gender"
            )
        if cell.value <= 0:
            raise RuleBroken("not_positive", f"{field}.{i}.value", "a cell needs more than 0")
        if cell.key in seen:
            raise RuleBroken("duplicate_cell", f"{field}.{i}", "the cell is named twice")
        seen.add(cell.key)
    return out


@dataclass(frozen=True)
class CallForPledges:
    """The secretariat asks the partners to pledge for cells of a target: each called cell
    with what is still to be pledged in it."""

    id: str
    target_id: str
    partnership_id: str
    title: str
    metric: str
    cells: tuple[Cell, ...]
    message: str
    published_at: datetime
    actor: str | None


def called_cells(target_cells: tuple[Cell, ...], called: Iterable[Cell]) -> tuple[Cell, ...]:
    """The cells called for: each one of the target's, asking for no more than it needs."""
    if not target_cells:
        raise RuleBroken("target_not_split", "target_id", "the target is not split into cells")
    needed = {c.key: c.value for c in target_cells}
    out = check_cells(called)
    if not out:
        raise RuleBroken("required", "cells", "a call names at least one cell")
    for i, cell in enumerate(out):
        if cell.key not in needed:
            raise RuleBroken(
                "not_a_cell_of_the_target", f"cells.{i}", "the target has no such cell"
            )
        if cell.value > needed[cell.key]:
            raise RuleBroken(
                "above_the_cell", f"cells.{i}.value", "a call asks for no more than the cell needs"
            )
    return out
