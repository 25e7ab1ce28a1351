"""The count rows of the annual report: per (partnership or over all, scope, year), how
many partners count commitments there, report there and have figures there, kept by the
partner rows that go from none to some, or back (years.py keeps the partner rows). Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from monitoring.core.domain.years import (
    P_COMMITMENTS,
    P_FIGURED,
    P_REPORTING,
    split_partner_row_id,
    year_id,
)

#: what a count row counts, of the partner rows of its scope
COUNTED = (P_COMMITMENTS, P_REPORTING, P_FIGURED)
#: a count row's fields, in that order
PARTNERS, REPORTING, WITH_FIGURES = "partners", "partners_reporting", "partners_with_figures"
FIELDS = (PARTNERS, REPORTING, WITH_FIGURES)


def changing(deltas: Mapping[str, Sequence[int]]) -> list[str]:
    """The partner rows whose counted fields change (only they can change a count)."""
    return [key for key, delta in deltas.items() if any(delta[i] for i in COUNTED)]


def partners_counted(
    before: Mapping[str, Sequence[int]], deltas: Mapping[str, Sequence[int]]
) -> dict[str, list[int]]:
    """What the count rows add when partner rows take `deltas`, `before` holding those rows
    as they are (a missing one: none yet): one for each partner row that goes from none to
    some commitments, reporting or figures, one less for each that goes back to none."""
    out: dict[str, list[int]] = {}
    for key, delta in deltas.items():
        old = before.get(key, (0, 0, 0, 0))
        flips = [int(old[i] + delta[i] > 0) - int(old[i] > 0) for i in COUNTED]
        if any(flips):
            of, scope, year, _ = split_partner_row_id(key)
            row = out.setdefault(year_id(of, scope, year), [0, 0, 0])
            for i, flip in enumerate(flips):
                row[i] += flip
    return out
