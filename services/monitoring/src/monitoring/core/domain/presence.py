"""Which partners each scope's figures come from, kept as the rollups are (by what changed),
so that deciding whether a group is hidden from partners (views/domain/suppression.py: fewer
than 3 partners) reads a count instead of folding every commitment. Pure.

A commitment counts in a scope when the rollups attribute anything of it there (its own
scopes, and the countries and levels its breakdowns name: buckets.py); it has figures there
when what they attribute is not all zero. Attribution is linear in the figures
(rollups.period_rows), so the figures a commitment has in a scope are those of its running
totals, which its head keeps. Per (scope, partner): how many of the partner's commitments
count there, and how many have figures there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from monitoring.core.domain.buckets import SCOPE_KINDS, own_scopes
from monitoring.core.domain.buckets import merge as buckets_merge
from monitoring.core.domain.figures import AMOUNT_NAMES
from monitoring.core.domain.model import Commitment, Figures
from monitoring.core.domain.progress import CellsNotLoaded, CommitmentProgress
from monitoring.core.domain.rollups import (
    PARTNER,
    PARTNERSHIP,
    Moved,
    Rows,
    add_moved,
    rollup_key,
    rows_of,
)

_N = len(AMOUNT_NAMES)
COUNTED, WITH_FIGURES = 0, 1
#: `<scope>|<partner_id>` -> [commitments counted, commitments with figures] (a change)
Presence = dict[str, list[int]]


def presence_id(scope: str, partner_id: str) -> str:
    return f"{scope}|{partner_id}"


def of(c: Commitment, extra: Iterable[Iterable[str]], totals: Figures) -> tuple[set[str], set[str]]:
    """The scopes the commitment counts in, and those it has figures in."""
    return _counted(c, extra), _with_figures(rows_of(c, totals))


def _counted(c: Commitment, extra: Iterable[Iterable[str]]) -> set[str]:
    counted = set(own_scopes(c))
    for more in extra:
        counted.update(more)
    return counted


def _with_figures(rows: Rows) -> set[str]:
    return {k for k, r in rows.items() if k.partition(":")[0] in SCOPE_KINDS and any(r[:_N])}


def _add(out: Presence, partner_id: str, scopes: Iterable[str], column: int, sign: int) -> None:
    for scope in scopes:
        row = out.setdefault(presence_id(scope, partner_id), [0, 0])
        row[column] += sign


def contribution(p: CommitmentProgress) -> Presence:
    """What one commitment adds (from its head: definition, extra scopes, totals)."""
    assert p.extra is not None
    counted, with_figures = of(p.commitment, p.extra.values(), p.totals)
    out: Presence = {}
    _add(out, p.commitment.partner_id, counted, COUNTED, 1)
    _add(out, p.commitment.partner_id, with_figures, WITH_FIGURES, 1)
    return out


def change(p: CommitmentProgress, moved: Sequence[Moved] | None = None) -> Presence:
    """What changed since the commitment was loaded (or last settled): call after
    buckets.change, which keeps `p.extra` and what it was (`p.loaded_as`). `moved`: the
    changed periods as rollups.moved_periods gives them; when given and the definition is
    the same, what the totals attribute now is what they did plus what the periods moved
    (attribution is linear in the figures), not worked out again."""
    if p.extra is None:
        return {}
    out: Presence = {}
    before = p.loaded_as
    if before is None:
        return {k: r for k, r in contribution(p).items() if any(r)}
    c0, totals0, extra0 = before
    if extra0 is None:
        raise CellsNotLoaded(f"the scopes {p.id}'s periods had were not kept")
    c = p.commitment
    if c0 == c and totals0 is p.totals and extra0 == p.extra:
        return {}
    if c0 == c and extra0 == p.extra and moved is not None and p.figured is not None:
        return _flipped(p, moved)
    rows = rows_of(c0, totals0)
    _add(out, c0.partner_id, _counted(c0, extra0.values()), COUNTED, -1)
    _add(out, c0.partner_id, _with_figures(rows), WITH_FIGURES, -1)
    if moved is None or c0 != c:
        rows = rows_of(c, p.totals)
    else:
        add_moved(rows, moved)
    _add(out, c.partner_id, _counted(c, p.extra.values()), COUNTED, 1)
    _add(out, c.partner_id, _with_figures(rows), WITH_FIGURES, 1)
    return {k: r for k, r in out.items() if any(r)}


def _flipped(p: CommitmentProgress, moved: Sequence[Moved]) -> Presence:
    """The same definition and scopes: it counts where it did, and has figures in a scope
    where one of its periods has some (figures are never negative, and a breakdown never
    sums to more than its total, so what periods attribute never cancels out). Its head
    counts its periods with figures per year and scope (`p.figured`, years.py, kept by
    year_deltas.change after this one); a partner's scope has figures where its
    partnership's has (both take every figure). Only a count that goes from none to some,
    or back, changes a row: the totals are not attributed again."""
    assert p.figured is not None
    c = p.commitment
    partnership, partner = (
        rollup_key(PARTNERSHIP, c.partnership_id),
        rollup_key(PARTNER, c.partner_id),
    )
    more: dict[str, int] = {}
    for m in moved:
        for rows, sign in ((m.new_rows, 1), (m.old_rows, -1)):
            for key in _with_figures(rows) if rows is not None else ():
                if key != partner:  # the partner's row: as the partnership's
                    more[key] = more.get(key, 0) + sign
    out: Presence = {}
    for scope, n in more.items():
        if not n:
            continue
        before = sum(scopes.get(scope, 0) for scopes in p.figured.values())
        if (before > 0) != (before + n > 0):
            flipped = (scope, partner) if scope == partnership else (scope,)
            _add(out, c.partner_id, flipped, WITH_FIGURES, 1 if before + n > 0 else -1)
    return out


merge = buckets_merge
