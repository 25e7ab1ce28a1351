"""Progress of one commitment: the latest revision of each period's figures, and what
follows from them (achieved value, series, breakdowns)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from monitoring.core.domain.events import DomainEvent
from monitoring.core.domain.figures import Figures
from monitoring.core.domain.figures import sum_figures as sum_figures  # kept importable here
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


@dataclass
class CommitmentProgress:
    """The aggregate the hot path loads, changes and stores: a commitment's definition (from
    its events, highest version) together with its reported periods."""

    commitment: Commitment
    periods: dict[str, PeriodEntry] = field(default_factory=dict)
    last_report_at: datetime | None = None
    stale_reports: int = 0
    #: None while the commitment is not measured (suspended, withdrawn)
    on_track: bool | None = None
    #: the day the alert rules last ran on it (they depend on the date only)
    evaluated_on: date | None = None
    #: what it recorded (alerts fired and resolved) since its unit of work last collected
    events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)

    @property
    def id(self) -> str:
        return self.commitment.id

    def apply(self, report: Report, at: datetime) -> Outcome:
        """Figures of a higher revision replace the period's; others are counted as stale."""
        current = self.periods.get(report.period)
        if current is not None and report.revision <= current.revision:
            self.periods[report.period] = replace(current, stale_reports=current.stale_reports + 1)
            self.stale_reports += 1
            return Outcome.STALE
        self.periods[report.period] = PeriodEntry(
            report.period, report.revision, report.event_id, report.figures, at
        )
        self.last_report_at = at if self.last_report_at is None else max(self.last_report_at, at)
        return Outcome.APPLIED if current is None else Outcome.REPLACED

    def correct(
        self, period: str, revision: int, figures: Figures | None, source: str, at: datetime
    ) -> PeriodEntry | None:
        """Set a period's figures and revision whatever was reported (None: clear it); the
        secretariat's correction. Returns the period as it was."""
        before = self.periods.pop(period, None)
        if figures is not None:
            self.periods[period] = PeriodEntry(period, revision, source, figures, at)
        return before

    def revision_of(self, period: str) -> int:
        entry = self.periods.get(period)
        return entry.revision if entry is not None else 0

    @property
    def totals(self) -> Figures:
        """The sum of the periods' latest figures (without the baseline)."""
        return sum_figures(e.figures for e in self.periods.values())

    @property
    def metric(self) -> Metric:
        return self.commitment.target.metric

    @property
    def achieved(self) -> float:
        """The commitment's metric reached so far: baseline plus every period's figures."""
        return self.commitment.target.baseline + self.totals.value(self.metric)

    def series(self) -> list[SeriesPoint]:
        """The metric per period, in period order, with the running total (from baseline)."""
        points: list[SeriesPoint] = []
        cumulative = self.commitment.target.baseline
        for entry in sorted(self.periods.values(), key=lambda e: e.start):
            value = entry.figures.value(self.metric)
            cumulative += value
            points.append(SeriesPoint(entry.period, value, cumulative, entry.revision))
        return points

    @property
    def reported_periods(self) -> frozenset[str]:
        return frozenset(self.periods)

    @property
    def last_reported_period(self) -> Period | None:
        if not self.periods:
            return None
        return max((Period.parse(p) for p in self.periods), key=lambda p: p.start)


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
