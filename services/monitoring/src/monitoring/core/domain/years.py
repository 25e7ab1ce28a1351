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
is the same with a partner: its commitments counted there, those of them reporting, and
those with figures there in that year (figures are never negative, so one period with
figures there says "has figures"). Each row counts its `entries` (a year row: a commitment
counted there, or a period attributing there; a partner row: a commitment counted there, and
one with figures there): a row whose entries fall to 0 holds nothing and is removed. A
commitment's head keeps, per year and scope, how many of its periods have figures there
(`p.figured`), so that a new period changes its partner rows only when it is the first with
figures there that year (or a correction takes the last away). A partner row is kept
twice: in its partnership and over every partnership (partnership ALL, but for the scope of
a partnership, that only its own commitments count in), so that a partner of two
partnerships counts once in the report over all. A *count row* per (partnership or ALL,
scope, year) keeps how many partner rows there count commitments, report and have figures:
a batch reads the partner rows it changes and counts those that go from none to some, or
back (year_counts.py), so the report reads the counts rather than counting partners.

A commitment's rows depend on its definition (window, status, partnership, countries,
levels), the number of periods it reported per year (the head's marks) and the figures of
those periods. What a batch adds for what changed: year_deltas.py.
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
    rollup_key,
    rows_of,
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
#: a partner row: [entries, commitments counted, commitments reporting, commitments with
#: figures]
P_ENTRIES, P_COMMITMENTS, P_REPORTING, P_FIGURED = range(4)
#: the partnership of the partner rows and count rows over every partnership
ALL = ""
#: per year, per scope: how many of a commitment's periods of that year have figures there
Figured = dict[int, dict[str, int]]
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
            row = self.rows.get(key)
            if row is None:
                if any(delta.values()):
                    self.rows[key] = dict(delta)
                continue
            for name, value in delta.items():
                if value:  # most of a delta's fields are 0 (its statuses, its figures)
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


def counted(out: Yearly, c: Commitment, year: int, periods: int, sign: int) -> None:
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


def recounted(out: Yearly, c: Commitment, year: int, before: int, after: int) -> None:
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


def attributed(out: Yearly, c: Commitment, year: int, f: Figures, sign: int) -> list[str]:
    """One period's figures, in every scope the rollups attribute them to (and the total:
    the partnership's), and its breakdowns without a scope summed by key. Returns the scopes
    where it has figures."""
    return attributed_rows(out, c, year, f, rows_of(c, f), sign)


def attributed_rows(
    out: Yearly, c: Commitment, year: int, f: Figures, rows: Rows, sign: int
) -> list[str]:
    """attributed, given what the figures attribute (rollups.period_rows)."""
    partnership_id, figured = c.partnership_id, []
    for key, r in rows.items():
        kind = key.partition(":")[0]
        if kind not in SCOPE_KINDS:
            continue
        for scope in (key, TOTAL) if kind == PARTNERSHIP else (key,):
            row = out.row(year_id(partnership_id, scope, year), ROW_FIELDS)
            row[ENTRIES] += sign
            for i in range(_N):
                row[AMOUNT_NAMES[i]] += sign * r[i]
        if any(r[:_N]):
            figured.append(key)
    for spec in SUMMED:
        for k, v in (getattr(f, spec.name) or {}).items():
            row = out.row(year_id(partnership_id, breakdown_scope(spec.reported_as, k), year))
            row[ENTRIES] = row.get(ENTRIES, 0) + sign
            row[SUM] = row.get(SUM, 0) + sign * v
    return figured


def figured_flip(out: Yearly, c: Commitment, scope: str, year: int, sign: int) -> None:
    """The commitment starts (1) or stops (-1) having figures in the scope that year."""
    for partner in _partner_rows(out, c, scope, year):
        partner[P_ENTRIES] += sign
        partner[P_FIGURED] += sign


def by_year(periods: Iterable[str]) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for period in periods:
        counts[year_of(period)] += 1
    return counts


def contribution(p: CommitmentProgress) -> Yearly:
    """What one commitment adds to every year row (every period's cell must be loaded)."""
    return contribution_and_figured(p)[0]


def figured(p: CommitmentProgress) -> Figured:
    """Per year and scope, how many of its periods have figures there (every cell loaded)."""
    return contribution_and_figured(p)[1]


def contribution_and_figured(p: CommitmentProgress) -> tuple[Yearly, Figured]:
    if not p.complete:
        raise CellsNotLoaded(f"the years of {p.id} need every period")
    c, out = p.commitment, Yearly()
    reported = by_year(p.periods)
    for year in set(window(c)) | set(reported):
        counted(out, c, year, reported.get(year, 0), 1)
    figured: Figured = {}
    for period, entry in p.periods.items():
        year = year_of(period)
        scopes = figured.setdefault(year, {})
        for scope in attributed(out, c, year, entry.figures, 1):
            scopes[scope] = scopes.get(scope, 0) + 1
    for year, scopes in figured.items():
        for scope in scopes:
            figured_flip(out, c, scope, year, 1)
    return out, {year: scopes for year, scopes in figured.items() if scopes}
