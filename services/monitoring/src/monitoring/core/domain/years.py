"""Each year's figures and counts for the annual report, per partnership, kept up to date
as the buckets are (by what changed), so that the annual report reads a few small documents
instead of folding every commitment; the report over every partnership sums the
partnerships' rows as it reads them (a few partnerships). Pure.

What the annual report says of a year (views/domain/annual_report.py `annual_report`, the
reference the property test compares with): per scope (the total, each partnership, country
and skill level) the figures of the periods of that year, attributed as the rollups do
(rollups.period_rows); the commitments that ran in the year (their window overlaps it, or
they reported a period of it) by current status, those with a period reported and how many
periods; the partners whose commitments count there, those reporting, and those whose
figures are there (for suppression); and the breakdowns without a scope (by gender) summed
over the year.

A *year row* is one (partnership, scope, year), the scope TOTAL or a rollup key
(`country:DE`), or a summed breakdown's key (`breakdown:by_gender:female`). A *partner row*
is the same with a partner: its commitments counted there, those of them reporting, and its
periods with figures there (figures are never negative, so one such period says "has
figures"). Each row counts its `entries` (a commitment counted there, or a period
attributing there): a row whose entries fall to 0 holds nothing and is removed. A partner
row is kept twice: in its partnership and over every partnership (partnership ALL, but for
the scope of a partnership, that only its own commitments count in), so that a partner of two
partnerships counts once in the report over all. A *count row* per (partnership or ALL,
scope, year) keeps how many partner rows there count commitments, report and have figures:
a batch reads the partner rows it changes and counts those that go from none to some, or
back (year_counts.py), so the report reads the counts rather than counting partners.

A commitment's rows depend on its definition (window, status, partnership, countries,
levels), the number of periods it reported per year (the head's marks) and the figures of
those periods; a batch adds, per changed period, its figures (new minus old) and, per year
whose count of periods changed, that count and whether it reported at all. After a new
definition: its whole contribution minus the one it had (`p.yearly`).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from monitoring.core.domain import buckets
from monitoring.core.domain.figures import AMOUNT_NAMES, BREAKDOWNS
from monitoring.core.domain.model import Commitment, CommitmentStatus, Figures
from monitoring.core.domain.periods import Period
from monitoring.core.domain.progress import CellsNotLoaded, CommitmentProgress
from monitoring.core.domain.rollups import (
    COUNTRY,
    LEVEL,
    PARTNERSHIP,
    Rows,
    period_rows,
    rollup_key,
)

#: the scope of the whole report
TOTAL = "total"
#: the scopes of the annual report beside the total
SCOPE_KINDS = (PARTNERSHIP, COUNTRY, LEVEL)
STATUSES = tuple(s.value for s in CommitmentStatus)
#: breakdowns without a rollup scope: the annual report sums them over the year (by gender)
SUMMED = tuple(s for s in BREAKDOWNS if s.scope is None)
#: a year row's counts beside the figures
ENTRIES, COMMITMENTS, WITH_PROGRESS, PERIODS = (
    "entries",
    "commitments",
    "commitments_with_progress",
    "periods_reported",
)
#: a partner row: [entries, commitments counted, commitments reporting, periods with figures]
P_ENTRIES, P_COMMITMENTS, P_REPORTING, P_FIGURED = range(4)
#: the partnership of the partner rows and count rows over every partnership
ALL = ""
_N = len(AMOUNT_NAMES)


def status_field(status: str) -> str:
    return f"commitments_{status}"


#: every field of a scope's year row, each always written (a row's fields never depend on
#: the order its deltas came in, so a rebuild writes the same documents)
ROW_FIELDS = (
    ENTRIES, COMMITMENTS, *map(status_field, STATUSES), PERIODS, WITH_PROGRESS, *AMOUNT_NAMES,
)  # fmt: skip
#: a summed breakdown's key is a row of its own (`breakdown:by_gender:female`): its entries
#: (periods naming the key) and the sum
BREAKDOWN, SUM = "breakdown", "sum"


def breakdown_scope(reported_as: str, key: str) -> str:
    return f"{BREAKDOWN}:{reported_as}:{key}"


def year_id(partnership_id: str, scope: str, year: int) -> str:
    return f"{partnership_id}|{scope}|{year:04d}"


def split_year_id(key: str) -> tuple[str, str, int]:
    partnership_id, scope, year = key.rsplit("|", 2)
    return partnership_id, scope, int(year)


def partner_row_id(partnership_id: str, scope: str, year: int, partner_id: str) -> str:
    return f"{year_id(partnership_id, scope, year)}|{partner_id}"


def split_partner_row_id(key: str) -> tuple[str, str, int, str]:
    """(partnership, scope, year, partner); partner ids never hold `|`, partnership ids
    may."""
    rest, partner_id = key.rsplit("|", 1)
    return (*split_year_id(rest), partner_id)


@dataclass
class Yearly:
    """Deltas (or a whole contribution): year rows by id (field -> count), partner rows by
    id ([entries, commitments, reporting, with figures])."""

    rows: dict[str, dict[str, int]] = field(default_factory=dict)
    partners: dict[str, list[int]] = field(default_factory=dict)

    def row(self, key: str, fields: Iterable[str] = ()) -> dict[str, int]:
        found = self.rows.get(key)
        if found is None:
            found = self.rows[key] = dict.fromkeys(fields, 0)
        return found

    def partner(self, key: str) -> list[int]:
        found = self.partners.get(key)
        if found is None:
            found = self.partners[key] = [0, 0, 0, 0]
        return found

    def merge(self, more: Yearly) -> None:
        """Add `more`, dropping rows that come to nothing."""
        for key, delta in more.rows.items():
            row = self.row(key)
            for name, value in delta.items():
                row[name] = row.get(name, 0) + value
            if not any(row.values()):
                del self.rows[key]
        buckets.merge(self.partners, more.partners)

    def minus(self, other: Yearly) -> Yearly:
        out = Yearly()
        out.merge(self)
        out.merge(Yearly(
            {k: {n: -v for n, v in r.items()} for k, r in other.rows.items()},
            {k: [-v for v in r] for k, r in other.partners.items()},
        ))  # fmt: skip
        return out


@functools.lru_cache(maxsize=8192)
def year_of(period: str) -> int:
    return Period.parse(period).year


def window(c: Commitment) -> range:
    """The years the commitment runs in by its dates."""
    return range(c.target.start_date.year, c.target.deadline.year + 1)


def own_scopes(c: Commitment) -> tuple[str, ...]:
    """The scopes the commitment itself counts in (as the annual report counts it)."""
    keys = [TOTAL, rollup_key(PARTNERSHIP, c.partnership_id)]
    keys += [rollup_key(COUNTRY, x) for x in c.countries]
    keys += [rollup_key(LEVEL, x) for x in c.levels]
    return tuple(dict.fromkeys(keys))


def _partner_rows(out: Yearly, c: Commitment, scope: str, year: int) -> list[list[int]]:
    """The commitment's partner rows in a scope: its partnership's, and over every
    partnership's unless the scope is a partnership."""
    keys = [partner_row_id(c.partnership_id, scope, year, c.partner_id)]
    if not scope.startswith(f"{PARTNERSHIP}:"):
        keys.append(partner_row_id(ALL, scope, year, c.partner_id))
    return [out.partner(key) for key in keys]


def _counted(out: Yearly, c: Commitment, year: int, periods: int, sign: int) -> None:
    """The commitment counted in `year` with this many periods reported."""
    status = status_field(c.status.value)
    reporting = sign * int(periods > 0)
    for scope in own_scopes(c):
        row = out.row(year_id(c.partnership_id, scope, year), ROW_FIELDS)
        row[ENTRIES] += sign
        row[COMMITMENTS] += sign
        row[status] += sign
        row[PERIODS] += sign * periods
        row[WITH_PROGRESS] += reporting
        for partner in _partner_rows(out, c, scope, year):
            partner[P_ENTRIES] += sign
            partner[P_COMMITMENTS] += sign
            partner[P_REPORTING] += reporting


def _recounted(out: Yearly, c: Commitment, year: int, before: int, after: int) -> None:
    """The commitment, counted in `year` before and after, now has `after` periods there:
    only the count of periods and whether it reports change (its rows exist)."""
    reporting = int(after > 0) - int(before > 0)
    for scope in own_scopes(c):
        row = out.row(year_id(c.partnership_id, scope, year))
        row[PERIODS] = row.get(PERIODS, 0) + after - before
        if reporting:
            row[WITH_PROGRESS] = row.get(WITH_PROGRESS, 0) + reporting
            for partner in _partner_rows(out, c, scope, year):
                partner[P_REPORTING] += reporting


def _attributed(out: Yearly, c: Commitment, year: int, f: Figures, sign: int) -> None:
    """One period's figures, in every scope the rollups attribute them to (and the total:
    the partnership's), and its breakdowns without a scope summed by key."""
    rows: Rows = {}
    period_rows(c, f, rows)
    partnership_id = c.partnership_id
    for key, r in rows.items():
        kind = key.partition(":")[0]
        if kind not in SCOPE_KINDS:
            continue
        for scope in (key, TOTAL) if kind == PARTNERSHIP else (key,):
            row = out.row(year_id(partnership_id, scope, year), ROW_FIELDS)
            row[ENTRIES] += sign
            for i in range(_N):
                row[AMOUNT_NAMES[i]] += sign * r[i]
        figured = sign * any(r[:_N])
        for partner in _partner_rows(out, c, key, year):
            partner[P_ENTRIES] += sign
            partner[P_FIGURED] += figured
    for spec in SUMMED:
        for k, v in (getattr(f, spec.name) or {}).items():
            row = out.row(year_id(partnership_id, breakdown_scope(spec.reported_as, k), year))
            row[ENTRIES] = row.get(ENTRIES, 0) + sign
            row[SUM] = row.get(SUM, 0) + sign * v


def _by_year(periods: Iterable[str]) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for period in periods:
        counts[year_of(period)] += 1
    return counts


def contribution(p: CommitmentProgress) -> Yearly:
    """What one commitment adds to every year row (every period's cell must be loaded)."""
    if not p.complete:
        raise CellsNotLoaded(f"the years of {p.id} need every period")
    c, out = p.commitment, Yearly()
    reported = _by_year(p.periods)
    for year in set(window(c)) | set(reported):
        _counted(out, c, year, reported.get(year, 0), 1)
    for period, entry in p.periods.items():
        _attributed(out, c, year_of(period), entry.figures, 1)
    return out


def change(p: CommitmentProgress) -> Yearly:
    """What the year rows must add for what changed since the commitment was loaded (or last
    settled); rows that come to nothing are dropped where the deltas are merged."""
    if p.yearly is not None:  # {}: a new commitment, that added nothing yet
        return contribution(p).minus(p.yearly or Yearly())
    first_old: dict[str, Figures | None] = {}
    last_new: dict[str, Figures | None] = {}
    for period, old, new in p.changes:
        first_old.setdefault(period, old)
        last_new[period] = new
    out = Yearly()
    if not last_new:
        return out
    c = p.commitment
    gained: dict[int, int] = defaultdict(int)
    for period, new in last_new.items():
        old, year = first_old[period], year_of(period)
        if new is not None:
            _attributed(out, c, year, new, 1)
        if old is not None:
            _attributed(out, c, year, old, -1)
        gained[year] += (new is not None) - (old is not None)
    years = {f"{year:04d}" for year in gained}  # a period's text begins with its year
    now = _by_year(q for q in p.marks_ if q[:4] in years)
    runs = window(c)
    for year, more in gained.items():
        if not more:
            continue
        after = now.get(year, 0)
        before = after - more
        was, is_ = bool(before or year in runs), bool(after or year in runs)
        if was and is_:
            _recounted(out, c, year, before, after)
            continue
        if was:
            _counted(out, c, year, before, -1)
        if is_:
            _counted(out, c, year, after, 1)
    return out
