"""What a batch adds to the annual report's year rows and partner rows (years.py) for what
changed in a commitment since it was loaded: per changed period, its figures (new minus
old) in every scope they attribute to; per year whose count of periods changed, that count
and whether the commitment reports there; per year and scope where the commitment starts or
stops having figures, its partner rows. After a new definition (or for a new commitment):
its whole contribution minus the one it had. Pure but for the head's counts of periods with
figures (`p.figured`), kept in step."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from monitoring.core.domain import years
from monitoring.core.domain.figures import AMOUNT_NAMES
from monitoring.core.domain.marks import in_years
from monitoring.core.domain.model import Commitment
from monitoring.core.domain.progress import CommitmentProgress
from monitoring.core.domain.rollups import PARTNERSHIP, Moved, moved_periods

#: (year, scope)
Scoped = tuple[int, str]


def change(p: CommitmentProgress, moved: Sequence[Moved] | None = None) -> years.Yearly:
    """What the year rows must add for what changed since the commitment was loaded (or last
    settled); rows that come to nothing are dropped where the deltas are merged. Keeps the
    head's count of periods with figures per year and scope (`p.figured`) in step.
    `moved`: the changed periods as rollups.moved_periods gives them (worked out if not)."""
    if p.yearly is not None:  # {}: a new commitment, that added nothing yet
        whole, p.figured = years.contribution_and_figured(p)
        p.figured_years = None
        return whole.minus(p.yearly or years.Yearly())
    if moved is None:
        moved = moved_periods(p)
    out = years.Yearly()
    if not moved:
        return out
    c = p.commitment
    gained: dict[int, int] = defaultdict(int)
    figured: dict[Scoped, int] = defaultdict(int)
    for m in moved:
        year = years.year_of(m.period)
        if m.delta_rows is not None:  # a correction: attributed where it was
            _corrected(out, c, year, m, figured)
            continue
        if m.new is not None and m.new_rows is not None:
            for scope in years.attributed_rows(out, c, year, m.new, m.new_rows, 1):
                figured[year, scope] += 1
        if m.old is not None and m.old_rows is not None:
            for scope in years.attributed_rows(out, c, year, m.old, m.old_rows, -1):
                figured[year, scope] -= 1
        gained[year] += (m.new is not None) - (m.old is not None)
    _refigured(out, p, figured)
    # the years whose count of periods changed (a period's text begins with its year)
    texts = {f"{year:04d}" for year, more in gained.items() if more}
    now = years.by_year(in_years(p.marks_, texts))
    runs = years.window(c)
    for year, more in gained.items():
        if not more:
            continue
        after = now.get(year, 0)
        before = after - more
        was, is_ = bool(before or year in runs), bool(after or year in runs)
        if was and is_:
            years.recounted(out, c, year, before, after)
            continue
        if was:
            years.counted(out, c, year, before, -1)
        if is_:
            years.counted(out, c, year, after, 1)
    return out


def _refigured(out: years.Yearly, p: CommitmentProgress, moved: dict[Scoped, int]) -> None:
    """Count the periods with figures that came and went per year and scope; the partner
    rows change where the count goes from none to some, or back. Without the head's counts
    (made from its cells, which hold the changes already): counted from every cell."""
    known = p.figured is not None
    if p.figured is None:
        p.figured, p.figured_years = years.figured(p), None
    counts = p.figured
    for (year, scope), more in moved.items():
        if not more:
            continue
        scopes = counts.setdefault(year, {})
        if known:
            before = scopes.get(scope, 0)
            after = scopes[scope] = before + more
            if not after:
                del scopes[scope]
            if p.figured_years is not None:
                p.figured_years.add(year)
        else:
            after = scopes.get(scope, 0)
            before = after - more
        if not scopes:
            del counts[year]
        if (before > 0) != (after > 0):
            years.figured_flip(out, p.commitment, scope, year, 1 if after > 0 else -1)


def _corrected(
    out: years.Yearly, c: Commitment, year: int, m: Moved, figured: dict[Scoped, int]
) -> None:
    """years.attributed_rows of the new figures minus those of the old, in one pass, for a
    period whose figures attribute to the same keys before and after (`m.delta_rows`): the
    entries of its scopes do not change, only their figures and where it has figures."""
    assert m.delta_rows is not None and m.old_rows is not None and m.new_rows is not None
    assert m.old is not None and m.new is not None
    n = len(AMOUNT_NAMES)
    for key, delta in m.delta_rows.items():
        kind = key.partition(":")[0]
        if kind not in years.SCOPE_KINDS:
            continue
        if any(delta[:n]):
            for scope in (key, years.TOTAL) if kind == PARTNERSHIP else (key,):
                row = out.row(years.year_id(c.partnership_id, scope, year), years.ROW_FIELDS)
                for i in range(n):
                    row[AMOUNT_NAMES[i]] += delta[i]
        flip = any(m.new_rows[key][:n]) - any(m.old_rows[key][:n])
        if flip:
            figured[year, key] += flip
    for spec in years.SUMMED:
        after, before = getattr(m.new, spec.name) or {}, getattr(m.old, spec.name) or {}
        for k in after.keys() | before.keys():
            entries, total = (k in after) - (k in before), after.get(k, 0) - before.get(k, 0)
            if entries or total:
                scope = years.breakdown_scope(spec.reported_as, k)
                row = out.row(years.year_id(c.partnership_id, scope, year))
                row[years.ENTRIES] = row.get(years.ENTRIES, 0) + entries
                row[years.SUM] = row.get(years.SUM, 0) + total
