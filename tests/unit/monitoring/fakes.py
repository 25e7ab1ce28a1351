"""In-memory Fake ports for monitoring's handlers: state survives only a commit."""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime
from typing import Any

from monitoring.core.domain import buckets, presence, years
from monitoring.core.domain.acceptance import Awaited, Receipt
from monitoring.core.domain.alerting import Alert, AlertState
from monitoring.core.domain.corrections import Correction
from monitoring.core.domain.events import DomainEvent, ReportRejected
from monitoring.core.domain.intake import ParkedReport
from monitoring.core.domain.model import Partner, Partnership, is_measured
from monitoring.core.domain.ownership import Held
from monitoring.core.domain.progress import CommitmentProgress, TargetProgress
from monitoring.core.domain.rollups import Totals
from monitoring.core.service_layer.unit_of_work import (
    AlertRepository,
    BucketRepository,
    CommitmentRepository,
    CorrectionLog,
    LearnerSketchRepository,
    ParkingRepository,
    PartnerRepository,
    PresenceRepository,
    ReceiptRepository,
    RejectionRepository,
    RollupRepository,
    TargetRepository,
    UnitOfWork,
    YearRepository,
)
from pact_common.kafka import key_hash

from . import copyable  # noqa: F401 - before any store is copied


class Store:
    """Everything committed so far."""

    def __init__(self) -> None:
        self.partners: dict[str, Partner] = {}
        self.partnerships: dict[str, Partnership] = {}
        self.commitments: dict[str, CommitmentProgress] = {}
        self.targets: dict[str, TargetProgress] = {}
        self.rollups: dict[str, Totals] = {}
        self.buckets: dict[str, list[int]] = {}
        self.presence: dict[str, list[int]] = {}
        self.years = years.Yearly()
        #: the learners sketches merged per key, as given (a fake does not read them)
        self.learners: dict[str, list[bytes]] = {}
        self.alerts: dict[str, Alert] = {}
        self.receipts: dict[str, Receipt] = {}
        self.parked: list[ParkedReport] = []
        self.rejections: dict[str, ReportRejected] = {}
        self.corrections: dict[str, Correction] = {}
        self.published: list[DomainEvent] = []


class FakePartnerRepository(PartnerRepository):
    def __init__(self, s: Store) -> None:
        self.s = s

    async def get_many(self, partner_ids: Iterable[str]) -> dict[str, Partner]:
        return {i: self.s.partners[i] for i in partner_ids if i in self.s.partners}

    async def put(self, partner: Partner) -> None:
        self.s.partners[partner.id] = partner

    async def put_partnership(self, partnership: Partnership) -> None:
        self.s.partnerships[partnership.id] = partnership


class FakeCommitmentRepository(CommitmentRepository):
    def __init__(self, s: Store) -> None:
        super().__init__()
        self.s = s

    async def _get_many(self, commitment_ids: Iterable[str]) -> dict[str, CommitmentProgress]:
        return {i: self.s.commitments[i] for i in commitment_ids if i in self.s.commitments}

    async def _load_cells(
        self, progress: dict[str, CommitmentProgress], periods: dict[str, set[str] | None]
    ) -> None:
        return None  # kept in memory whole: every one is complete

    async def _save_many(self, progress: list[CommitmentProgress]) -> None:
        for p in progress:
            p.written.clear()
        self.s.commitments.update((p.id, p) for p in progress)

    async def _due_for_evaluation(
        self, today: date, limit: int, held: Held
    ) -> list[CommitmentProgress]:
        due = [
            p
            for p in self.s.commitments.values()
            if is_measured(p.commitment.status)
            and (p.evaluated_on is None or p.evaluated_on < today)
            and held.holds(key_hash(p.commitment.partner_id))
        ]
        return due[:limit]


class FakeTargetRepository(TargetRepository):
    def __init__(self, s: Store) -> None:
        super().__init__()
        self.s = s

    async def _get(self, target_id: str) -> TargetProgress | None:
        return self.s.targets.get(target_id)

    async def _in_partnerships(self, partnership_ids: Iterable[str]) -> list[TargetProgress]:
        wanted = set(partnership_ids)
        return [t for t in self.s.targets.values() if t.target.partnership_id in wanted]

    async def _save_many(self, targets: list[TargetProgress]) -> None:
        self.s.targets.update((t.id, t) for t in targets)

    async def _due_for_evaluation(self, today: date, limit: int) -> list[TargetProgress]:
        due = [
            t for t in self.s.targets.values() if t.evaluated_on is None or t.evaluated_on < today
        ]
        return due[:limit]


class FakeCorrectionLog(CorrectionLog):
    def __init__(self, s: Store) -> None:
        self.s = s

    async def add(self, correction: Correction) -> None:
        self.s.corrections[correction.correction_id] = correction


class FakeRollupRepository(RollupRepository):
    def __init__(self, s: Store) -> None:
        self.s = s

    async def get_many(self, keys: Iterable[str]) -> dict[str, Totals]:
        return {k: self.s.rollups[k] for k in keys if k in self.s.rollups}

    async def add(self, deltas: Mapping[str, Totals]) -> None:
        for key, delta in deltas.items():
            self.s.rollups[key] = self.s.rollups.get(key, Totals()) + delta


class FakeBucketRepository(BucketRepository):
    def __init__(self, s: Store) -> None:
        self.s = s

    async def add(self, deltas: Mapping[str, list[int]]) -> None:
        buckets.merge(self.s.buckets, deltas)


class FakePresenceRepository(PresenceRepository):
    def __init__(self, s: Store) -> None:
        self.s = s

    async def add(self, deltas: Mapping[str, list[int]]) -> None:
        presence.merge(self.s.presence, deltas)


class FakeYearRepository(YearRepository):
    def __init__(self, s: Store) -> None:
        self.s = s

    async def add(self, deltas: years.Yearly) -> None:
        self.s.years.merge(deltas)


class FakeLearnerSketches(LearnerSketchRepository):
    def __init__(self, s: Store) -> None:
        self.s = s

    async def merge(self, additions: Mapping[str, list[bytes]]) -> None:
        for key, parts in additions.items():
            self.s.learners[key] = [*self.s.learners.get(key, []), *parts]


class FakeAlertRepository(AlertRepository):
    def __init__(self, s: Store) -> None:
        self.s = s

    async def firing_of(
        self, subject_keys: Iterable[str], skip: Collection[str] = ()
    ) -> dict[str, dict[str, Alert]]:
        wanted, skipped = set(subject_keys), set(skip)
        out: dict[str, dict[str, Alert]] = {}
        for fp, alert in self.s.alerts.items():
            if alert.subject.key in wanted and alert.is_firing and fp not in skipped:
                out.setdefault(alert.subject.key, {})[fp] = alert
        return out

    async def whole(self, fingerprints: Iterable[str]) -> dict[str, Alert]:
        return {fp: a for fp in fingerprints if (a := self.s.alerts.get(fp)) is not None}

    async def states(self, fingerprints: Iterable[str]) -> dict[str, AlertState]:
        return {
            fp: AlertState(fp, a.status, a.episode)
            for fp in fingerprints
            if (a := self.s.alerts.get(fp)) is not None
        }

    async def save_many(self, alerts: Iterable[Alert]) -> None:
        self.s.alerts.update((a.fingerprint, a) for a in alerts)


class FakeReceiptRepository(ReceiptRepository):
    def __init__(self, s: Store) -> None:
        self.s = s

    async def get_many(self, event_ids: Iterable[str]) -> dict[str, Receipt]:
        return {i: self.s.receipts[i] for i in event_ids if i in self.s.receipts}

    async def add_many(self, receipts: Iterable[Receipt]) -> None:
        for r in receipts:
            assert r.event_id not in self.s.receipts, "receipts are added once"
            self.s.receipts[r.event_id] = r

    async def save_many(self, receipts: Iterable[Receipt]) -> None:
        self.s.receipts.update((r.event_id, r) for r in receipts)


class FakeParkingRepository(ParkingRepository):
    def __init__(self, s: Store) -> None:
        self.s = s

    async def park(self, parked: Iterable[ParkedReport]) -> None:
        self.s.parked.extend(parked)

    async def take_awaiting(self, awaiting: Awaited, awaited_id: str) -> list[ParkedReport]:
        taken = [p for p in self.s.parked if (p.awaiting, p.awaited_id) == (awaiting, awaited_id)]
        self.s.parked = [p for p in self.s.parked if p not in taken]
        return taken

    async def take_expired(self, now: datetime, limit: int) -> list[ParkedReport]:
        taken = [p for p in self.s.parked if p.expires_at <= now][:limit]
        self.s.parked = [p for p in self.s.parked if p not in taken]
        return taken

    async def counts(self, partner_ids: Iterable[str]) -> Counter[str]:
        wanted = set(partner_ids)
        return Counter(p.report.partner_id for p in self.s.parked if p.report.partner_id in wanted)


class FakeRejectionRepository(RejectionRepository):
    """`latest`: the store as committed, which `outdated` reads past the unit of work's copy
    (its snapshot)."""

    def __init__(self, s: Store, latest: Store | None = None) -> None:
        super().__init__()
        self.s = s
        self.latest = latest or s

    async def outdated(
        self, partners: Mapping[str, int | None], commitments: Mapping[str, int | None]
    ) -> bool:
        stored = (
            ({i: p.version for i, p in self.latest.partners.items()}, partners),
            ({i: c.commitment.version for i, c in self.latest.commitments.items()}, commitments),
        )
        return any(
            i in now and (v is None or now[i] > v) for now, seen in stored for i, v in seen.items()
        )

    async def existing(self, rejection_ids: Iterable[str]) -> set[str]:
        return set(rejection_ids) & set(self.s.rejections)

    async def _store(self, rejections: list[ReportRejected]) -> None:
        for r in rejections:
            assert r.rejection_id not in self.s.rejections, "rejections are stored once"
            self.s.rejections[r.rejection_id] = r


class FakeUnitOfWork(UnitOfWork):
    """Works on a copy of the store; commit puts the copy back (so no commit, no change)."""

    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()
        self.commits = 0

    async def __aenter__(self) -> FakeUnitOfWork:
        self._bind()
        return self

    def _bind(self) -> None:
        self._work = copy.deepcopy(self.store)
        for name, cls in _REPOSITORIES.items():
            setattr(self, name, cls(self._work))
        self.rejections = FakeRejectionRepository(self._work, latest=self.store)

    async def commit(self) -> None:
        events = [event for event, _ in self.collect_new_events()]
        self._work.published = [*self.store.published, *events]
        self.store.__dict__.update(self._work.__dict__)
        self._bind()
        self.commits += 1


_REPOSITORIES: dict[str, Any] = {
    "partners": FakePartnerRepository,
    "commitments": FakeCommitmentRepository,
    "targets": FakeTargetRepository,
    "rollups": FakeRollupRepository,
    "buckets": FakeBucketRepository,
    "presence": FakePresenceRepository,
    "years": FakeYearRepository,
    "learners": FakeLearnerSketches,
    "alerts": FakeAlertRepository,
    "receipts": FakeReceiptRepository,
    "parking": FakeParkingRepository,
    "corrections": FakeCorrectionLog,
}  # and the rejections, which also read the store as committed (FakeUnitOfWork._bind)
