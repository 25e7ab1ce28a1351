"""What `progress import` checks against the platform before sending: every commitment id
is one of the partner's (GET /commitments), and a revision that leaves figures out says
which stored figures it clears (GET /progress/commitments/{id}), or carries them over."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from pact_contracts.progress import FigureKind

from .api import ApiError, Platform
from .progress_cells import FIGURES, RowError
from .progress_csv import Checked, Row

#: the figures monitoring stores per period and shows back (counts and euros)
KEPT = [f.name for f in FIGURES if f.kind is not FigureKind.BREAKDOWN and not f.required]


def known_commitments(platform: Platform, partner_id: str) -> set[str]:
    """Every commitment id of the partner (all pages)."""
    found: set[str] = set()
    offset = 0
    while True:
        page = platform.get(
            "commitments", "/commitments", partner=partner_id, limit=200, offset=offset
        )
        found.update(c["id"] for c in page["items"])
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            return found


def unknown_commitments(checked: Checked, known: set[str], partner_id: str) -> list[RowError]:
    """A row naming a commitment the partner does not have: refused by line (monitoring would
    hold it for days, then reject it)."""
    problems = []
    for row in checked.rows:
        cid = row.report.commitment_id
        if cid in known:
            continue
        close = difflib.get_close_matches(cid, sorted(known), n=1, cutoff=0.7)
        hint = f"; did you mean {close[0]}?" if close else ""
        problems.append(
            RowError(
                row.line,
                "commitment_id",
                "unknown_commitment",
                f"{cid} is not a commitment of partner {partner_id} "
                f"(pactctl commitments list shows them){hint}",
            )
        )
    return problems


class Unchecked(Exception):
    """The stored figures could not be read (monitoring unreachable)."""


@dataclass(frozen=True)
class Cleared:
    """A row whose revision replaces stored figures it does not give."""

    line: int
    commitment_id: str
    period: str
    figures: dict[str, Any]


def stored_periods(platform: Platform, commitment_ids: set[str]) -> dict[tuple[str, str], Any]:
    """(commitment, period) -> the figures monitoring holds (commitments it knows)."""
    out: dict[tuple[str, str], Any] = {}
    for cid in sorted(commitment_ids):
        try:
            doc = platform.get("monitoring", f"/progress/commitments/{cid}")
        except ApiError as exc:
            if exc.status == 404:
                continue
            if exc.status is None:  # monitoring is not reachable: the reports still are
                raise Unchecked(str(exc)) from exc
            raise
        for p in doc.get("periods", []):
            out[(cid, p["period"])] = p
    return out


def cleared(rows: list[Row], stored: dict[tuple[str, str], Any]) -> list[Cleared]:
    """Rows that leave out figures the stored revision of their period has (not 0)."""
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
