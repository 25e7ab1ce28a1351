"""Progress summed per partner, partnership, country and skill level, kept up to date by
adding each commitment's change of contribution (after minus before).

Attribution to countries and levels: a report's breakdown where it has one; otherwise, when
the commitment names exactly one country (level), the whole figure goes there; otherwise it
is not attributed. Reports break down people trained, placements, new entrants and
certificates (each breakdown names its figure); the other figures go to a country (level)
only when the commitment names exactly one.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from monitoring.core.domain.figures import (
    AMOUNT_NAMES,
    BREAKDOWNS,
    BY_REPORTED_NAME,
    amounts_of,
)
from monitoring.core.domain.model import Commitment, Figures, Metric, is_measured
from monitoring.core.domain.progress import CellsNotLoaded, CommitmentProgress
from monitoring.core.domain.totals import INDEX as _INDEX
from monitoring.core.domain.totals import TOTALS as TOTALS
from monitoring.core.domain.totals import ZEROS as _ZEROS
from monitoring.core.domain.totals import Totals as Totals

PARTNER, PARTNERSHIP, COUNTRY, LEVEL, MEMBERS = (
    "partner",
    "partnership",
    "country",
    "level",
    "members",
)


_N = len(AMOUNT_NAMES)
_MEASURED, _ON_TRACK = _INDEX["commitments"], _INDEX["commitments_on_track"]
#: the scopes breakdowns attribute to, and the commitment's field naming its own
_NAMED_BY = {COUNTRY: "countries", LEVEL: "levels"}
_SCOPED = tuple(s for s in BREAKDOWNS if s.scope is not None)
if unknown := [s.name for s in _SCOPED if s.scope not in _NAMED_BY]:
    raise ValueError(f"breakdowns {unknown} name a scope rollups do not know")
_SCOPE_KINDS = tuple(dict.fromkeys(str(s.scope) for s in _SCOPED))
#: each scoped breakdown's scope and the index of the figure it breaks down
_SCOPED_INTO = tuple((str(s.scope), _INDEX[s.of]) for s in _SCOPED)

_scoped_of: Callable[[Figures], tuple[Mapping[str, int], ...]] = (
    operator.attrgetter(*(s.name for s in _SCOPED))
    if len(_SCOPED) > 1
    else lambda f: tuple(getattr(f, s.name) for s in _SCOPED)
)


def rollup_key(kind: str, *parts: str) -> str:
    return ":".join((kind, *parts))


def members_key(partnership_id: str, metric: Metric) -> str:
    """Partnership targets count the metric over member commitments with that metric."""
    return rollup_key(MEMBERS, partnership_id, metric.value)


Rows = dict[str, list[int]]


def _row(rows: Rows, key: str) -> list[int]:
    found = rows.get(key)
    if found is None:
        found = rows[key] = list(_ZEROS)
    return found


def period_rows(c: Commitment, f: Figures, rows: Rows, sign: int = 1) -> None:
    """Add (sign -1: take away) what one period's figures give every rollup. Breakdowns are
    per period: a period without one is "unbroken" as a whole. A breakdown's keys get its
    figure; when the commitment names exactly one country (level), that one also gets what
    the breakdown leaves out, and the other figures."""
    amounts = amounts_of(f)
    single = {
        kind: rollup_key(kind, one[0])
        for kind in _SCOPE_KINDS
        if len(one := getattr(c, _NAMED_BY[kind])) == 1
    }
    for key in single.values():
        r = _row(rows, key)
        for i in range(_N):
            r[i] += sign * amounts[i]
    for (kind, into), breakdown in zip(_SCOPED_INTO, _scoped_of(f), strict=True):
        if not breakdown:
            continue
        for key, value in breakdown.items():
            _row(rows, rollup_key(kind, key))[into] += sign * value
        if kind in single:
            _row(rows, single[kind])[into] -= sign * sum(breakdown.values())
    for key in (rollup_key(PARTNER, c.partner_id), rollup_key(PARTNERSHIP, c.partnership_id)):
        r = _row(rows, key)
        for i in range(_N):
            r[i] += sign * amounts[i]
    metric = _INDEX[BY_REPORTED_NAME[c.target.metric].name]
    _row(rows, members_key(c.partnership_id, c.target.metric))[metric] += sign * amounts[metric]


def add_rows(into: Rows, more: Rows, sign: int) -> None:
    """Add (sign -1: take away) rows of counts by key, in place."""
    for key, r in more.items():
        mine = into.get(key)
        if mine is None:
            into[key] = [sign * x for x in r] if sign != 1 else list(r)
        else:
            for i, x in enumerate(r):
                mine[i] += sign * x


@dataclass(slots=True, frozen=True)
class Moved:
    """One changed period: its figures when the commitment was loaded (or last settled) and
    now, and what each attributes (period_rows; None: no figures). Worked out once per batch
    for the rollups, the buckets and the year rows alike, which only read the rows.
    `delta_rows`: new minus old, when both attribute to the same keys (a correction)."""

    period: str
    old: Figures | None
    new: Figures | None
    old_rows: Rows | None
    new_rows: Rows | None
    delta_rows: Rows | None = None


def rows_of(c: Commitment, f: Figures) -> Rows:
    """What the figures give every rollup (period_rows into new rows)."""
    rows: Rows = {}
    period_rows(c, f, rows)
    return rows


def add_moved(into: Rows, moved: Sequence[Moved]) -> None:
    """Add what the moved periods attribute now, minus what they attributed before."""
    for m in moved:
        if m.delta_rows is not None:  # a correction: its figures' change, in one pass
            add_rows(into, m.delta_rows, 1)
            continue
        if m.new_rows is not None:
            add_rows(into, m.new_rows, 1)
        if m.old_rows is not None:
            add_rows(into, m.old_rows, -1)


def moved_periods(p: CommitmentProgress) -> list[Moved]:
    """The commitment's changes coalesced per period (what came between cancels out,
    attribution being linear in the figures), in the order the periods first changed."""
    first_old: dict[str, Figures | None] = {}
    last_new: dict[str, Figures | None] = {}
    for period, old, new in p.changes:
        first_old.setdefault(period, old)
        last_new[period] = new
    c, out = p.commitment, []
    for period, new in last_new.items():
        old = first_old[period]
        was, now = (None if f is None else rows_of(c, f) for f in (old, new))
        delta = None
        if was is not None and now is not None and was.keys() == now.keys():
            delta = {k: [x - y for x, y in zip(r, was[k], strict=True)] for k, r in now.items()}
        out.append(Moved(period, old, new, was, now, delta))
    return out


def head_rows(c: Commitment, on_track: bool | None, rows: Rows, sign: int = 1) -> None:
    """Add (take away) the commitment itself: measured, and on track, where it counts."""
    measured, on = sign * int(is_measured(c.status)), sign * int(bool(on_track))
    keys = [rollup_key(PARTNER, c.partner_id), rollup_key(PARTNERSHIP, c.partnership_id)]
    keys += [rollup_key(COUNTRY, x) for x in c.countries]
    keys += [rollup_key(LEVEL, x) for x in c.levels]
    for key in keys:
        r = _row(rows, key)
        r[_MEASURED] += measured
        r[_ON_TRACK] += on
    _row(rows, members_key(c.partnership_id, c.target.metric))


def _totals(rows: Rows) -> dict[str, Totals]:
    return {key: Totals(*r) for key, r in rows.items()}


def contribution(progress: CommitmentProgress | None) -> dict[str, Totals]:
    """What one commitment adds to every rollup it counts toward (every period's cell
    must be loaded)."""
    if progress is None:
        return {}
    if not progress.complete:
        raise CellsNotLoaded(f"the contribution of {progress.id} needs every period")
    rows: Rows = {}
    c = progress.commitment
    for entry in progress.periods.values():
        period_rows(c, entry.figures, rows)
    head_rows(c, progress.on_track, rows)
    return _totals(rows)


def change(progress: CommitmentProgress, moved: Sequence[Moved] | None = None) -> dict[str, Totals]:
    """What the rollups must add for what changed since the commitment was loaded (or last
    settled): each replaced period's figures (new minus old) and its own counts; after a
    new definition, its whole contribution minus the one it had. `moved`: the changed
    periods as moved_periods gives them (worked out here when not given)."""
    return {key: Totals(*r) for key, r in change_rows(progress, moved).items() if any(r)}


def change_rows(progress: CommitmentProgress, moved: Sequence[Moved] | None = None) -> Rows:
    """change, as rows of counts in the order of TOTALS (some may be all 0): a batch adds
    its commitments' rows and makes Totals of the sums once (add_rows)."""
    if progress.contributed is not None:
        delta = difference(contribution(progress), progress.contributed)
        return {key: list(t.values) for key, t in delta.items()}
    rows: Rows = {}
    c = progress.commitment
    add_moved(rows, moved_periods(progress) if moved is None else moved)
    if progress.on_track != progress.counted_on_track:
        head_rows(c, progress.on_track, rows)
        head_rows(c, progress.counted_on_track, rows, -1)
    return rows


def difference(after: Mapping[str, Totals], before: Mapping[str, Totals]) -> dict[str, Totals]:
    """after - before, without the keys that do not change."""
    out: dict[str, Totals] = {}
    for key in after.keys() | before.keys():
        delta = after.get(key, Totals()) - before.get(key, Totals())
        if delta:
            out[key] = delta
    return out


def merge(into: dict[str, Totals], more: Mapping[str, Totals]) -> None:
    for key, delta in more.items():
        total = into.get(key, Totals()) + delta
        if total:
            into[key] = total
        else:
            into.pop(key, None)
