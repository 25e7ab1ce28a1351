"""Progress of one commitment: the latest revision of each period's figures, and what
follows from them (achieved value, series, breakdowns)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from monitoring.core.domain.events import DomainEvent
from monitoring.core.domain.figures import Figures, changed_figures, without_zeros
from monitoring.core.domain.figures import sum_figures as sum_figures  # kept importable here
from monitoring.core.domain.marks import REVISION, Mark, MarkValues, later, latest
from monitoring.core.domain.model import Commitment, Metric, PartnershipTarget, Report
from monitoring.core.domain.periods import Period


class Outcome(StrEnum):
    APPLIED = "applied"  # a first report for its period
    REPLACED = "replaced"  # a higher revision replaced the figures of its period
    STALE = "stale"  # a revision not above the one applied: ignored, counted


@dataclass(frozen=True)
class PeriodEntry:
    period: str
    revision: int
    event_id: str
    figures: Figures
    reported_at: datetime
    stale_reports: int = 0

    @property
    def start(self) -> date:
        return Period.parse(self.period).start


@dataclass(frozen=True)
class SeriesPoint:
    period: str
    value: float
    cumulative: float
    revision: int


class CellsNotLoaded(LookupError):
    """A period's figures were needed but its cell was not loaded with the commitment."""


@dataclass
class CommitmentProgress:
    """The aggregate the hot path loads, changes and stores: a commitment's definition (from
    its events, highest version), the running totals and a mark per reported period (the
    head), and the figures of the periods it was loaded with (the cells: every period when
    `complete`, or only those a batch touches).

    What changes is tracked so that storing costs what changed: the cells replaced, and for
    the rollups the figures each replaced cell had and has (`changes`), or, after the
    definition changed, the whole contribution it had before (`contributed`)."""

    commitment: Commitment
    periods: dict[str, PeriodEntry] = field(default_factory=dict)
    last_report_at: datetime | None = None
    stale_reports: int = 0
    #: None while the commitment is not measured (suspended, withdrawn)
    on_track: bool | None = None
    #: the day the alert rules last ran on it (they depend on the date only)
    evaluated_on: date | None = None
    #: the head's running totals and marks; None: computed from `periods` (all of them).
    #: The totals as last summed: `totals` adds the replacements made since (`unsummed`)
    kept_totals: Figures | None = None
    marks: dict[str, Mark] | None = None
    #: every reported period's cell is in `periods`
    complete: bool = field(default=True, compare=False)
    #: what it recorded (alerts fired and resolved) since its unit of work last collected
    events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)
    #: cells to store; (old, new) figures of each change; the contribution before a new
    #: definition (rollups.py reads these three and `settled` clears them)
    written: set[str] = field(default_factory=set, compare=False, repr=False)
    changes: list[tuple[str, Figures | None, Figures | None]] = field(
        default_factory=list, compare=False, repr=False
    )
    contributed: Any = field(default=None, compare=False, repr=False)
    #: the same for the quarter and year buckets (buckets.py): what it added to them before a
    #: new definition, and each reported period's scopes beyond its own, as the head keeps
    #: them (None: not loaded from a head; buckets.py works them out from the cells)
    bucketed: Any = field(default=None, compare=False, repr=False)
    extra: dict[str, tuple[str, ...]] | None = field(default=None, compare=False, repr=False)
    #: the same for the annual report's year rows (years.py) before a new definition
    yearly: Any = field(default=None, compare=False, repr=False)
    #: per year and scope, its periods with figures there, as kept (years.py; None: not
    #: known, worked out from every cell), and the years of it to store (None: all of it)
    figured: dict[int, dict[str, int]] | None = field(default=None, compare=False, repr=False)
    figured_years: set[int] | None = field(default_factory=set, compare=False, repr=False)
    #: definition, totals, extra scopes as loaded or settled (presence.py); None: a new one
    loaded_as: Any = field(default=None, compare=False, repr=False)
    #: (old, new) figures of the periods replaced since the totals were last summed: a
    #: batch of many reports for one commitment copies its running totals once, not per report
    unsummed: list[tuple[Figures | None, Figures | None]] = field(
        default_factory=list, compare=False, repr=False
    )
    #: fingerprints of its informational alerts notified (they never fire again): the rules
    #: need not read their states (a ten-year commitment reaches a milestone a year)
    notified: set[str] = field(default_factory=set, compare=False, repr=False)
    #: its firing alerts whose resolve is held, by fingerprint: until when (a batch reads
    #: them only if their condition holds again, is gone, or the hold has ended)
    held: dict[str, datetime] = field(default_factory=dict, compare=False, repr=False)
    #: its other firing alerts: episode by fingerprint (read whole only when their condition
    #: stops holding or is gone); None: not known (a head stored before it kept them)
    firing: dict[str, int] | None = field(default=None, compare=False, repr=False)
    #: those three as its stored head holds them (None: not known): written when they change
    stored_alerts: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    #: on_track as the rollups last counted it
    counted_on_track: bool | None = field(default=None, compare=False, repr=False)
    #: the latest period reported once worked out ([]: not yet; the rules ask every time)
    last_known: list[Period | None] = field(default_factory=list, compare=False, repr=False)
    #: its stored head must be written whole (new, made from cells, or a new definition);
    #: otherwise storing it sets the marks of the periods `written` and the small fields
    whole_head: bool = field(default=True, compare=False, repr=False)
    #: journal entries written for its views kept apart (view_journal.py); None: kept inline
    journaled: int | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.marks is None:
            self.marks = {p: self._mark(e) for p, e in self.periods.items()}
        if self.kept_totals is None:
            self.kept_totals = without_zeros(sum_figures(e.figures for e in self.periods.values()))
        self.counted_on_track = self.on_track
        self._loaded()

    def _loaded(self) -> None:
        extra = None if self.extra is None else dict(self.extra)
        self.loaded_as = (self.commitment, self.totals, extra)

    @property
    def id(self) -> str:
        return self.commitment.id

    def _mark(self, entry: PeriodEntry) -> Mark:
        return [entry.revision, entry.figures.value(self.commitment.target.metric)]

    def _cell(self, period: str) -> PeriodEntry | None:
        if period not in self.marks_:
            return None
        found = self.periods.get(period)
        if found is None:
            raise CellsNotLoaded(f"period {period} of {self.id} was not loaded")
        return found

    @property
    def marks_(self) -> dict[str, Mark]:
        assert self.marks is not None
        return self.marks

    def _put(self, period: str, entry: PeriodEntry | None, before: PeriodEntry | None) -> None:
        old = before.figures if before is not None else None
        new = entry.figures if entry is not None else None
        if entry is None:
            self.periods.pop(period, None)
            self.marks_.pop(period, None)
            self.last_known = []
        else:
            self.periods[period] = entry
            self.marks_[period] = self._mark(entry)
            if self.last_known:  # kept: moves only to a later period
                self.last_known = [later(self.last_known[0], period)]
        self.written.add(period)
        if old is not new:
            self.unsummed.append((old, new))
            self.changes.append((period, old, new))

    def apply(self, report: Report, at: datetime) -> Outcome:
        """Figures of a higher revision replace the period's; others are counted as stale."""
        current = self._cell(report.period)
        if current is not None and report.revision <= current.revision:
            self.periods[report.period] = replace(current, stale_reports=current.stale_reports + 1)
            self.written.add(report.period)
            self.stale_reports += 1
            return Outcome.STALE
        entry = PeriodEntry(report.period, report.revision, report.event_id, report.figures, at)
        self._put(report.period, entry, current)
        self.last_report_at = at if self.last_report_at is None else max(self.last_report_at, at)
        return Outcome.APPLIED if current is None else Outcome.REPLACED

    def correct(
        self, period: str, revision: int, figures: Figures | None, source: str, at: datetime
    ) -> PeriodEntry | None:
        """Set a period's figures and revision whatever was reported (None: clear it); the
        secretariat's correction. Returns the period as it was."""
        before = self._cell(period)
        entry = PeriodEntry(period, revision, source, figures, at) if figures is not None else None
        if entry is not None or before is not None:
            self._put(period, entry, before)
        return before

    def replay(self, period: str, old: Figures | None, new: Figures | None, at: datetime) -> None:
        """A period's figures went from `old` to `new` (None: none), as view_journal replays."""
        before = PeriodEntry(period, 0, "", old, at) if old is not None else None
        entry = PeriodEntry(period, 0, "", new, at) if new is not None else None
        self._put(period, entry, before)

    @classmethod
    def new(cls, commitment: Commitment) -> CommitmentProgress:
        """A commitment just pledged: it has added nothing to the rollups and buckets yet."""
        fresh = cls(commitment, contributed={}, bucketed={}, extra={}, yearly={})
        fresh.loaded_as = None
        return fresh

    def head_stored(self) -> None:
        """Its head is stored as it is: what changes next is stored as a change."""
        self.whole_head = False
        self.figured_years = set()

    def redefine(
        self, commitment: Commitment, contributed: Any, bucketed: Any, yearly: Any
    ) -> None:
        """A new definition (version): `contributed` (`bucketed`, `yearly`) is what it added
        to the rollups (the buckets, the year rows) under the old one (rollups.contribution,
        buckets.contribution, years.contribution), taken away when it is next settled. Needs
        every cell: the marks' values follow the metric."""
        if not self.complete:
            raise CellsNotLoaded(f"redefining {self.id} needs every period's figures")
        if self.contributed is None:
            self.contributed = contributed
        if self.bucketed is None:
            self.bucketed = bucketed
        if self.yearly is None:
            self.yearly = yearly
        self.commitment = commitment
        self.marks = {p: self._mark(e) for p, e in self.periods.items()}
        self.last_known = []
        self.whole_head = True

    def settled(self) -> None:
        """The rollups have counted what changed."""
        self.changes = []
        self.contributed = None
        self.bucketed = None
        self.yearly = None
        self._loaded()
        self.counted_on_track = self.on_track

    def revision_of(self, period: str) -> int:
        mark = self.marks_.get(period)
        return int(mark[REVISION]) if mark is not None else 0

    @property
    def totals(self) -> Figures:
        """The sum of the periods' latest figures (without the baseline)."""
        assert self.kept_totals is not None
        if self.unsummed:
            self.kept_totals = changed_figures(self.kept_totals, self.unsummed)
            self.unsummed = []
        return self.kept_totals

    @property
    def metric(self) -> Metric:
        return self.commitment.target.metric

    @property
    def achieved(self) -> float:
        """The commitment's metric reached so far: baseline plus every period's figures."""
        return self.commitment.target.baseline + self.totals.value(self.metric)

    def values(self) -> Mapping[str, float]:
        """The metric in each reported period (read through: the rules ask for the last few
        of a head's hundreds at every evaluation)."""
        return MarkValues(self.marks_)

    def series(self) -> list[SeriesPoint]:
        """The metric per period, in period order, with the running total (from baseline)."""
        points: list[SeriesPoint] = []
        cumulative = self.commitment.target.baseline
        for name in sorted(self.marks_, key=lambda p: Period.parse(p).start):
            revision, value = self.marks_[name]
            cumulative += value
            points.append(SeriesPoint(name, value, cumulative, int(revision)))
        return points

    @property
    def last_reported_period(self) -> Period | None:
        if not self.last_known:
            self.last_known = [latest(self.marks_)]
        return self.last_known[0]


@dataclass
class TargetProgress:
    """A partnership target; its progress is the sum over member commitments (a rollup)."""

    target: PartnershipTarget
    evaluated_on: date | None = None
    #: what it recorded (alerts fired and resolved) since its unit of work last collected
    events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)

    @property
    def id(self) -> str:
        return self.target.id
