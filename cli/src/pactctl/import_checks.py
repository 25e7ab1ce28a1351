"""What `progress import` checks against the platform before sending: every commitment id
is one of the partner's (GET /commitments), and a revision that leaves figures out says
which stored figures it clears (GET /progress/commitments/{id}), or carries them over
(pact_contracts.sheets.revisions, shared with the portal's upload)."""

from __future__ import annotations

import difflib
import functools
from typing import Any

from pact_contracts.sheets.revisions import KEPT, Cleared, cleared, keep_unset

from .api import ApiError, Platform, while_refused
from .progress_cells import RowError
from .progress_csv import Checked

#: monitoring hears of a partner's approval over Kafka, moments after commitments does: a
#: partner that has just pledged may be unknown to it (403 unknown_partner) for that long
WAIT_FOR_MONITORING = 15.0


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


def stored_periods(platform: Platform, commitment_ids: set[str]) -> dict[tuple[str, str], Any]:
    """(commitment, period) -> the figures monitoring holds (commitments it knows)."""
    out: dict[tuple[str, str], Any] = {}
    for cid in sorted(commitment_ids):
        try:
            doc = while_refused(
                functools.partial(platform.get, "monitoring", f"/progress/commitments/{cid}"),
                lambda exc: exc.code == "unknown_partner",  # reports now would be refused
                WAIT_FOR_MONITORING,
            )
        except ApiError as exc:
            if exc.status == 404:
                continue
            if exc.status is None:  # monitoring is not reachable: the reports still are
                raise Unchecked(str(exc)) from exc
            raise
        for p in doc.get("periods", []):
            out[(cid, p["period"])] = p
    return out


__all__ = [
    "KEPT",
    "Cleared",
    "Unchecked",
    "cleared",
    "keep_unset",
    "known_commitments",
    "stored_periods",
    "unknown_commitments",
]
