"""What a revision leaves out: a report replaces the stored figures of its period, so a
figure it does not give is cleared. Both `pactctl progress import` and the portal's upload
say so before sending, and can carry the stored figures over instead."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pact_contracts.progress import FigureKind
from pact_contracts.sheets.cells import FIGURES
from pact_contracts.sheets.progress_csv import Checked, Row

#: the figures monitoring stores per period and shows back (counts and euros)
KEPT = [f.name for f in FIGURES if f.kind is not FigureKind.BREAKDOWN and not f.required]


@dataclass(frozen=True)
class Cleared:
    """A row whose revision replaces stored figures it does not give."""

    line: int
    commitment_id: str
    period: str
    figures: dict[str, Any]


def cleared(rows: list[Row], stored: dict[tuple[str, str], Any]) -> list[Cleared]:
    """Rows that leave out figures the stored revision of their period has (not 0).
    `stored`: (commitment, period) -> the period's figures as monitoring shows them."""
    out = []
    for row in rows:
        r = row.report
        held = stored.get((r.commitment_id, r.period))
        if held is None:
            continue
        lost = {n: held[n] for n in KEPT if held.get(n) and getattr(r, n) is None}
        if lost:
            out.append(Cleared(row.line, r.commitment_id, r.period, lost))
    return out


def keep_unset(checked: Checked, lost: list[Cleared]) -> None:
    """Carry the stored figures over into the rows that leave them out."""
    by_line = {c.line: c for c in lost}
    for i, row in enumerate(checked.rows):
        if (c := by_line.get(row.line)) is not None:
            report = row.report
            checked.rows[i] = Row(
                row.line, type(report).model_validate(report.model_dump() | c.figures)
            )
