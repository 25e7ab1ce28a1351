"""Each scope's figures per quarter and per year, kept up to date as the rollups are (by what
changed), so that a series reads a few small documents instead of folding every commitment.
Pure.

A bucket is a scope (`partnership:digital`, `country:DE`, ... as the rollups key them) and a
quarter (`2026-Q1`) or a year (`2026`). A period's figures go to its quarter and its year, in
every scope the rollups attribute it to (rollups.period_rows): that is, the commitment's own
scopes (its partner, partnership, countries and levels) and the countries and levels its
breakdowns name. A bucket also counts the commitments with a period in it
(`commitments_reporting`). What a bucket holds equals the fold of
views/domain/annual_report.series over the commitments' periods (the property test checks).

The head keeps, per reported period, the scopes its breakdowns name beyond the commitment's
own (`extra`, usually empty), so a batch that loads only the cells it touches still knows
which commitments a bucket counts.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence

from monitoring.core.domain.figures import AMOUNT_NAMES
from monitoring.core.domain.marks import in_years
from monitoring.core.domain.model import Commitment, Figures
from monitoring.core.domain.periods import Granularity, Period
from monitoring.core.domain.progress import CellsNotLoaded, CommitmentProgress
from monitoring.core.domain.rollups import (
    COUNTRY,
    LEVEL,
    PARTNER,
    PARTNERSHIP,
    Moved,
    Rows,
    moved_periods,
    rollup_key,
    rows_of,
)

#: the scopes that have a series
SCOPE_KINDS = frozenset({PARTNER, PARTNERSHIP, COUNTRY, LEVEL})
QUARTER, YEAR = "quarter", "year"
_N = len(AMOUNT_NAMES)
#: the index of the commitments counted in a bucket's row, after the figures
REPORTING = _N

#: bucket id -> the figures (AMOUNT_NAMES, stored units) and the commitments reporting
Buckets = dict[str, list[int]]


def bucket_id(scope: str, label: str) -> str:
    return f"{scope}|{label}"


@functools.lru_cache(maxsize=8192)
def labels(period: str) -> tuple[str, str]:
    """A period's quarter (months fold into theirs) and year."""
    p = Period.parse(period)
    return str(Period.containing(p.start, Granularity.QUARTER)), f"{p.year:04d}"


def granularity_of(label: str) -> str:
    return QUARTER if "-" in label else YEAR


def own_scopes(c: Commitment) -> tuple[str, ...]:
    """The scopes every period of the commitment counts toward."""
    keys = [rollup_key(PARTNER, c.partner_id), rollup_key(PARTNERSHIP, c.partnership_id)]
    keys += [rollup_key(COUNTRY, x) for x in c.countries]
    keys += [rollup_key(LEVEL, x) for x in c.levels]
    return tuple(dict.fromkeys(keys))


def extra_scopes(c: Commitment, f: Figures) -> tuple[str, ...]:
    """The scopes one period's breakdowns name beyond the commitment's own."""
    return _extra(rows_of(c, f), set(own_scopes(c)))


def _extra(rows: Rows, own: set[str]) -> tuple[str, ...]:
    return tuple(sorted(k for k in rows if k.partition(":")[0] in SCOPE_KINDS and k not in own))


def _row(out: Buckets, key: str) -> list[int]:
    found = out.get(key)
    if found is None:
        found = out[key] = [0] * (_N + 1)
    return found


def _add_figures(out: Buckets, c: Commitment, period: str, f: Figures, sign: int) -> None:
    _add_rows(out, period, rows_of(c, f), sign)


def _add_rows(out: Buckets, period: str, rows: Rows, sign: int) -> None:
    pair = labels(period)
    for scope, r in rows.items():
        if scope.partition(":")[0] not in SCOPE_KINDS or not any(r[:_N]):
            continue
        for label in pair:
            row = _row(out, bucket_id(scope, label))
            for i in range(_N):
                row[i] += sign * r[i]


def _members(c: Commitment, extra: Mapping[str, Iterable[str]], only: set[str] | None) -> set[str]:
    """The buckets the commitment counts in, given its reported periods (with their extra
    scopes); `only`: of these labels."""
    own = own_scopes(c)
    out: set[str] = set()
    for period, more in extra.items():
        for label in labels(period):
            if only is None or label in only:
                out.update(bucket_id(scope, label) for scope in (*own, *more))
    return out


def extras(p: CommitmentProgress) -> dict[str, tuple[str, ...]]:
    """Every reported period's extra scopes (those with any), as the head keeps them."""
    if p.extra is not None:
        return p.extra
    if not p.complete:
        raise CellsNotLoaded(f"the scopes of {p.id}'s periods need every period")
    c = p.commitment
    return {q: x for q, e in p.periods.items() if (x := extra_scopes(c, e.figures))}


def contribution(p: CommitmentProgress) -> Buckets:
    """What one commitment adds to every bucket (every period's cell must be loaded)."""
    if not p.complete:
        raise CellsNotLoaded(f"the buckets of {p.id} need every period")
    return _whole(p)[0]


def _whole(p: CommitmentProgress) -> tuple[Buckets, dict[str, tuple[str, ...]]]:
    """The commitment's whole contribution, and its periods' extra scopes (those with any),
    each period's worked out once."""
    out: Buckets = {}
    c = p.commitment
    for period, entry in p.periods.items():
        _add_figures(out, c, period, entry.figures, 1)
    every = {q: extra_scopes(c, e.figures) for q, e in p.periods.items()}
    for key in _members(c, every, None):
        _row(out, key)[REPORTING] += 1
    return out, {q: x for q, x in every.items() if x}


def change(p: CommitmentProgress, moved: Sequence[Moved] | None = None) -> Buckets:
    """What the buckets must add for what changed since the commitment was loaded (or last
    settled): each changed period's figures (new minus old) in its quarter and year, and the
    commitment counted in a bucket it now has a period in, or no longer; after a new
    definition, its whole contribution minus the one it had. Keeps `p.extra` up to date.
    `moved`: the changed periods as rollups.moved_periods gives them (worked out if not)."""
    c = p.commitment
    if p.bucketed is not None:
        if not p.complete:
            raise CellsNotLoaded(f"the buckets of {p.id} need every period")
        whole, p.extra = _whole(p)
        return difference(whole, p.bucketed)
    if moved is None:
        moved = moved_periods(p)
    if not moved:
        return {}
    own = set(own_scopes(c))
    first_old = {m.period: m.old_rows for m in moved}
    if p.extra is None:  # made from its cells: what the head would have kept
        unchanged = {q: e for q, e in p.periods.items() if q not in first_old}
        before = {q: extra_scopes(c, e.figures) for q, e in unchanged.items()}
        before |= {q: _extra(r, own) for q, r in first_old.items() if r is not None}
        p.extra = {q: x for q, x in before.items() if x}
        if p.loaded_as is not None and p.loaded_as[2] is None:
            p.loaded_as = (*p.loaded_as[:2], dict(p.extra))
    out: Buckets = {}
    touched: set[str] = set()
    extra_before = dict(p.extra)
    for m in moved:
        period = m.period
        touched.update(labels(period))
        if m.delta_rows is not None:  # a correction: its figures' change, in one pass
            _add_rows(out, period, m.delta_rows, 1)
        else:
            if m.new_rows is not None:
                _add_rows(out, period, m.new_rows, 1)
            if m.old_rows is not None:
                _add_rows(out, period, m.old_rows, -1)
        more = _extra(m.new_rows, own) if m.new_rows is not None else ()
        if more:
            p.extra[period] = more
        else:
            p.extra.pop(period, None)
    if all(_revised(m, p.marks_, extra_before, p.extra) for m in moved):
        return {k: r for k, r in out.items() if any(r)}  # reported where it was: same buckets
    # the periods sharing a label with those changed: those of their years (a period's text
    # begins with its year, its year label is among `touched`), checked as text, not parsed
    near = in_years(p.marks_, touched)
    after = {q: p.extra.get(q, ()) for q in near}
    before_periods = [q for q in near if first_old.get(q, ...) is not None]
    before_periods += [q for q, f in first_old.items() if f is not None and q not in p.marks_]
    before = {q: extra_before.get(q, ()) for q in before_periods}
    now, then = _members(c, after, touched), _members(c, before, touched)
    for key in now - then:
        _row(out, key)[REPORTING] += 1
    for key in then - now:
        _row(out, key)[REPORTING] -= 1
    return {k: r for k, r in out.items() if any(r)}


def _revised(
    m: Moved,
    marks: Mapping[str, object],
    extra_before: Mapping[str, tuple[str, ...]],
    extra: Mapping[str, tuple[str, ...]],
) -> bool:
    """The period had figures and still has, it is reported, and its breakdowns name the
    same scopes: the buckets the commitment counts in do not change for it."""
    return (
        m.old_rows is not None
        and m.new_rows is not None
        and m.period in marks
        and extra_before.get(m.period, ()) == extra.get(m.period, ())
    )


def difference(after: Buckets, before: Buckets) -> Buckets:
    out: Buckets = {}
    for key in after.keys() | before.keys():
        a, b = after.get(key), before.get(key)
        row = [x - y for x, y in zip(a or [0] * (_N + 1), b or [0] * (_N + 1), strict=True)]
        if any(row):
            out[key] = row
    return out


def merge(into: dict[str, list[int]], more: Mapping[str, list[int]]) -> None:
    """Add rows of counts by key, dropping those that come to nothing (the buckets', and
    presence.py's)."""
    for key, delta in more.items():
        row = into.get(key)
        if row is None:
            if any(delta):
                into[key] = list(delta)
            continue
        if len(row) != len(delta):
            raise ValueError(f"{key}: {len(delta)} counts added to {len(row)}")
        for i, x in enumerate(delta):
            row[i] += x
        if not any(row):
            del into[key]
