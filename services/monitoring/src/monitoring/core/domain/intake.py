"""Taking in progress reports: each is a duplicate, refused, parked or applied, exactly once.

Pure: the caller loads what the batch refers to (partners, commitments' progress, receipts of
event_ids seen before, parked counts), lets the Intake decide every report in memory, then
stores what changed in one transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from monitoring.core.domain.acceptance import (
    Accept,
    Awaited,
    Park,
    Reason,
    Receipt,
    Refusal,
    SignatureCheck,
    check_report,
    check_seen,
    unverifiable,
)
from monitoring.core.domain.events import ReportRejected
from monitoring.core.domain.model import Commitment, Partner, Report
from monitoring.core.domain.progress import CommitmentProgress, Outcome


class Taken(StrEnum):
    APPLIED = "applied"
    REPLACED = "replaced"
    DUPLICATE = "duplicate"
    PARKED = "parked"
    REJECTED = "rejected"


@dataclass(frozen=True)
class ParkedReport:
    report: Report
    parked_at: datetime
    expires_at: datetime
    awaiting: Awaited = Awaited.COMMITMENT

    @property
    def awaited_id(self) -> str:
        r = self.report
        return r.commitment_id if self.awaiting is Awaited.COMMITMENT else r.partner_id


def rejection(report: Report, refusal: Refusal, at: datetime) -> ReportRejected:
    """The rejection of a readable report; its id makes storing it idempotent."""
    return ReportRejected(
        rejection_id=f"{report.event_id}/{report.content_hash[:16]}",
        reason=refusal.reason,
        message=refusal.message,
        field=refusal.field,
        rejected_at=at,
        payload=report.payload,
        event_id=report.event_id,
        partner_id=report.partner_id,
        commitment_id=report.commitment_id,
        period=report.period,
    )


def expired(parked: ParkedReport, at: datetime) -> ReportRejected:
    waited = parked.expires_at - parked.parked_at
    what = parked.awaiting.value
    refusal = Refusal(
        Reason.PARKED_EXPIRED,
        f"{what} {parked.awaited_id} did not become known within {_duration(waited)} of the "
        f"report; send it again, with a new event_id, once the {what} is known",
        f"{what}_id",
    )
    return rejection(parked.report, refusal, at)


def _duration(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds % 86400 == 0:
        return f"{seconds // 86400} days"
    if seconds % 3600 == 0:
        return f"{seconds // 3600} hours"
    return f"{seconds} seconds"


@dataclass
class Intake:
    partners: Mapping[str, Partner]
    progress: Mapping[str, CommitmentProgress]
    now: datetime
    #: receipts of event_ids taken before, for the reports of this batch
    receipts: dict[str, Receipt] = field(default_factory=dict)
    #: reports parked per partner, and how many a partner may have waiting
    parked_counts: Counter[str] = field(default_factory=Counter)
    park_limit: int = 1000
    park_for: timedelta = timedelta(days=7)
    verify: SignatureCheck = unverifiable
    signatures_required: bool = False

    _new: set[str] = field(default_factory=set, init=False, repr=False)
    _changed: set[str] = field(default_factory=set, init=False, repr=False)
    parked: list[ParkedReport] = field(default_factory=list)
    rejected: list[ReportRejected] = field(default_factory=list)
    #: commitments whose progress changed (figures, or a stale report counted)
    touched: set[str] = field(default_factory=set)
    counts: Counter[Taken] = field(default_factory=Counter)
    #: reports taken with a learners sketch, and their commitments (learners.additions)
    with_learners: list[tuple[Report, Commitment]] = field(default_factory=list)
    #: the partners and commitments the acceptance rules refused on, at the version this
    #: batch read (None: unknown); the caller makes sure none is newer past the snapshot it
    #: read them in (handlers.take_reports)
    refused_on_partners: dict[str, int | None] = field(default_factory=dict)
    refused_on_commitments: dict[str, int | None] = field(default_factory=dict)

    def take(self, report: Report) -> Taken:
        """A report as it arrives: once per event_id (the same content again is a duplicate)."""
        seen = self.receipts.get(report.event_id)
        if seen is not None:
            refusal = check_seen(seen, report)
            if refusal is None:
                return self._count(Taken.DUPLICATE)
            self.receipts[report.event_id] = replace(
                seen, reused_hashes=(*seen.reused_hashes, report.content_hash)
            )
            self._changed.add(report.event_id)
            return self._refuse(report, refusal)
        self.receipts[report.event_id] = Receipt(report.event_id, report.content_hash)
        self._new.add(report.event_id)
        return self.decide(report)

    @property
    def new_receipts(self) -> list[Receipt]:
        return [self.receipts[i] for i in sorted(self._new)]

    @property
    def changed_receipts(self) -> list[Receipt]:
        """Receipts of earlier batches that learnt of another content for their event_id."""
        return [self.receipts[i] for i in sorted(self._changed - self._new)]

    def decide(self, report: Report, parked: ParkedReport | None = None) -> Taken:
        """The acceptance rules and the revision rule; also for a report released from the
        parking (`parked`: it keeps its place in time should it have to wait longer)."""
        if report.learners_problem is not None:
            problem = Refusal(
                Reason.BAD_LEARNERS_SKETCH, report.learners_problem, "learners_sketch"
            )
            return self._refuse(report, problem)
        progress = self.progress.get(report.commitment_id)
        partner = self.partners.get(report.partner_id)
        may_park = self.parked_counts[report.partner_id] < self.park_limit
        verdict = check_report(
            report,
            partner,
            progress.commitment if progress is not None else None,
            self.now.date(),
            may_park=may_park,
            verify=self.verify,
            signatures_required=self.signatures_required,
        )
        if isinstance(verdict, Park):
            since, until = (
                (parked.parked_at, parked.expires_at)
                if parked
                else (self.now, self.now + self.park_for)
            )
            self.parked_counts[report.partner_id] += 1
            self.parked.append(ParkedReport(report, since, until, verdict.awaiting))
            return self._count(Taken.PARKED)
        if isinstance(verdict, Refusal):
            known = progress.commitment.version if progress is not None else None
            self.refused_on_partners[report.partner_id] = (
                partner.version if partner is not None else None
            )
            self.refused_on_commitments[report.commitment_id] = known
            return self._refuse(report, verdict)
        assert isinstance(verdict, Accept) and progress is not None
        current = progress.revision_of(report.period)
        outcome = progress.apply(report, self.now)
        self.touched.add(progress.id)
        if outcome is Outcome.STALE:
            return self._refuse(
                report,
                Refusal(
                    Reason.STALE_REVISION,
                    f"revision {report.revision} of period {report.period} is not above "
                    f"revision {current} already applied; send a higher revision to correct it",
                    "revision",
                ),
            )
        if report.learners is not None:
            self.with_learners.append((report, progress.commitment))
        return self._count(Taken.REPLACED if outcome is Outcome.REPLACED else Taken.APPLIED)

    def _refuse(self, report: Report, refusal: Refusal) -> Taken:
        self.rejected.append(rejection(report, refusal, self.now))
        return self._count(Taken.REJECTED)

    def _count(self, taken: Taken) -> Taken:
        self.counts[taken] += 1
        return taken
