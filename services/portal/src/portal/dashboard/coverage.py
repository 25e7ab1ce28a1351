"""The coverage of a split partnership target: per cell (a level, a country and/or a gender),
what the member commitments pledge against what is needed, and what they reported. Pure.

A commitment covers the pairs of its levels and countries; one covering k pairs counts
value/k toward each (its target value, and what it reported so far: monitoring's `achieved`),
so a cell gets the commitment's share of every pair it holds. Commitments name no gender:
a cell with a gender counts the pledges of its level and country. Only the commitments of
the target's partnership that count the target's metric, active or achieved, are counted."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

Doc = dict[str, Any]
COUNTED = ("active", "achieved")


@dataclass(frozen=True)
class CellCoverage:
    level: str | None
    country: str | None
    gender: str | None
    needed: float
    pledged: float
    reported: float
    commitments: int

    @property
    def shortfall(self) -> float:
        return max(0.0, self.needed - self.pledged)

    @property
    def uncovered(self) -> bool:
        return self.pledged < self.needed


def _share(commitment: Doc, cell: Doc) -> float:
    """The part of the commitment (0..1) that falls in the cell."""
    levels, countries = commitment.get("levels") or [], commitment.get("countries") or []
    pairs = len(levels) * len(countries)
    if not pairs:
        return 0.0
    held = sum(
        1
        for level in levels
        for country in countries
        if cell.get("level") in (None, level) and cell.get("country") in (None, country)
    )
    return held / pairs


def coverage(
    target: Doc, commitments: Iterable[Doc], achieved: dict[str, float]
) -> list[CellCoverage]:
    """Each of the target's cells, in order; `achieved`: commitment id -> monitoring's figure."""
    counted = [
        c
        for c in commitments
        if c.get("partnership_id") == target["partnership_id"]
        and c.get("metric") == target["metric"]
        and c.get("status") in COUNTED
    ]
    out: list[CellCoverage] = []
    for cell in target.get("cells") or []:
        shares = [(c, _share(c, cell)) for c in counted]
        shares = [(c, s) for c, s in shares if s > 0]
        out.append(
            CellCoverage(
                level=cell.get("level"),
                country=cell.get("country"),
                gender=cell.get("gender"),
                needed=float(cell["value"]),
                pledged=sum(float(c["target_value"]) * s for c, s in shares),
                reported=sum(achieved.get(str(c["id"]), 0.0) * s for c, s in shares),
                commitments=len(shares),
            )
        )
    return out
