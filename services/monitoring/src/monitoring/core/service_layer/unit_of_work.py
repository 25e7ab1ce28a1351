"""The unit of work port: repositories plus an atomic commit of state and events."""

from __future__ import annotations

import abc
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime
from typing import Any

from monitoring.core.domain.acceptance import Awaited, Receipt
from monitoring.core.domain.alerting import Alert, AlertState
from monitoring.core.domain.corrections import Correction
from monitoring.core.domain.events import Refusals, ReportRejected
from monitoring.core.domain.intake import ParkedReport
from monitoring.core.domain.model import Partner, Partnership
from monitoring.core.domain.ownership import EVERYTHING, Held
from monitoring.core.domain.progress import CommitmentProgress, TargetProgress
from monitoring.core.domain.rollups import Totals
from monitoring.core.domain.years import Yearly
from monitoring.core.service_layer.view_ports import ViewJournal, ViewStates
from pact_common.aggregates import EventCollectingUnitOfWork, SeenAggregates


class PartnerRepository(abc.ABC):
    """The registry's latest snapshot of each partner."""

    @abc.abstractmethod
    async def get_many(self, partner_ids: Iterable[str]) -> dict[str, Partner]: ...

    @abc.abstractmethod
    async def put(self, partner: Partner) -> None: ...

    @abc.abstractmethod
    async def put_partnership(self, partnership: Partnership) -> None: ...


#: (commitment_id, period) pairs whose figures a unit of work needs
Cells = Iterable[tuple[str, str]]
Due = list[CommitmentProgress]  # the commitments a sweep evaluates


class CommitmentRepository(SeenAggregates[CommitmentProgress]):
    """Each commitment's head (definition, totals, marks) and the cells (one period's
    figures each) a unit of work asks for: one aggregate. Remembers every one it hands out
    or stores, so the unit of work finds their events."""

    async def get_many(
        self, commitment_ids: Iterable[str], cells: Cells = (), every_period: bool = False
    ) -> dict[str, CommitmentProgress]:
        """One object per commitment in a unit of work (one handed out already is again,
        with any cells asked for now that it lacks). `cells`: the periods whose figures are
        needed (of those reported); `every_period`: all of them."""
        wanted = set(commitment_ids)
        periods: dict[str, set[str]] = {}
        for commitment_id, period in cells:
            periods.setdefault(commitment_id, set()).add(period)
        have = {i: self.seen[i] for i in wanted if i in self.seen}
        missing = wanted - have.keys()
        found = await self._get_many(missing) if missing else {}
        self._saw(*found.values())
        every = have | found
        lacking = {  # a head that does not know its periods with figures: every cell
            i: None
            if every_period or (e.figured is None and e.journaled is None)
            # a period has a cell exactly when its head has a mark: one not reported has none
            else {p for p in periods.get(i, ()) if p not in e.periods and p in e.marks_}
            for i, e in every.items()
            if not e.complete
        }
        lacking = {i: ps for i, ps in lacking.items() if ps is None or ps}
        if lacking:
            await self._load_cells({i: every[i] for i in lacking}, lacking)
        return every

    async def save_many(self, progress: Iterable[CommitmentProgress]) -> None:
        progress = list(progress)
        self._saw(*progress)
        await self._save_many(progress)

    async def due_for_evaluation(self, today: date, limit: int, held: Held = EVERYTHING) -> Due:
        """Measured commitments not evaluated today, whose partner's partition is `held`."""
        due = await self._due_for_evaluation(today, limit, held)
        self._saw(*due)
        return due

    async def _add(self, aggregate: CommitmentProgress) -> None:
        await self._save_many([aggregate])

    @abc.abstractmethod
    async def _get_many(self, commitment_ids: Iterable[str]) -> dict[str, CommitmentProgress]:
        """Heads only."""

    @abc.abstractmethod
    async def _load_cells(
        self, progress: dict[str, CommitmentProgress], periods: dict[str, set[str] | None]
    ) -> None:
        """Put the periods' cells (None: every one, then complete) into `periods`."""

    @abc.abstractmethod
    async def _save_many(self, progress: list[CommitmentProgress]) -> None:
        """The heads, and the cells each has `written` (a removed period: its cell removed)."""

    @abc.abstractmethod
    async def _due_for_evaluation(self, today: date, limit: int, held: Held) -> Due: ...


class TargetRepository(SeenAggregates[TargetProgress]):
    """Partnership targets; remembers every one it hands out or stores."""

    async def get(self, target_id: str) -> TargetProgress | None:
        found = await self._get(target_id)
        self._saw(found)
        return found

    async def in_partnerships(self, partnership_ids: Iterable[str]) -> list[TargetProgress]:
        found = await self._in_partnerships(partnership_ids)
        self._saw(*found)
        return found

    async def save_many(self, targets: Iterable[TargetProgress]) -> None:
        targets = list(targets)
        self._saw(*targets)
        await self._save_many(targets)

    async def due_for_evaluation(self, today: date, limit: int) -> list[TargetProgress]:
        due = await self._due_for_evaluation(today, limit)
        self._saw(*due)
        return due

    async def _add(self, aggregate: TargetProgress) -> None:
        await self._save_many([aggregate])

    @abc.abstractmethod
    async def _get(self, target_id: str) -> TargetProgress | None: ...

    @abc.abstractmethod
    async def _in_partnerships(self, partnership_ids: Iterable[str]) -> list[TargetProgress]: ...

    @abc.abstractmethod
    async def _save_many(self, targets: list[TargetProgress]) -> None: ...

    @abc.abstractmethod
    async def _due_for_evaluation(self, today: date, limit: int) -> list[TargetProgress]: ...


class RollupRepository(abc.ABC):
    """Totals per partner, partnership, country, level (and per partnership and metric)."""

    @abc.abstractmethod
    async def get_many(self, keys: Iterable[str]) -> dict[str, Totals]: ...

    @abc.abstractmethod
    async def add(self, deltas: Mapping[str, Totals]) -> None: ...


class BucketRepository(abc.ABC):
    """Each scope's figures per quarter and per year (domain/buckets.py)."""

    @abc.abstractmethod
    async def add(self, deltas: Mapping[str, list[int]]) -> None: ...


class PresenceRepository(abc.ABC):
    """Per scope and partner, its commitments there, and with figures (domain/presence.py)."""

    @abc.abstractmethod
    async def add(self, deltas: Mapping[str, list[int]]) -> None: ...


class YearRepository(abc.ABC):
    """The annual report's year rows and partner rows (domain/years.py)."""

    @abc.abstractmethod
    async def add(self, deltas: Yearly) -> None: ...


class LearnerSketchRepository(abc.ABC):
    """The union of the learners sketches per key (domain/learners.py)."""

    @abc.abstractmethod
    async def merge(self, additions: Mapping[str, list[bytes]]) -> None: ...


class AlertRepository(abc.ABC):
    @abc.abstractmethod
    async def firing_of(
        self, subject_keys: Iterable[str], skip: Collection[str] = ()
    ) -> dict[str, dict[str, Alert]]:
        """subject key -> fingerprint -> alert, of the firing alerts (but those of `skip`)."""

    @abc.abstractmethod
    async def whole(self, fingerprints: Iterable[str]) -> dict[str, Alert]:
        """Those of these alerts that exist, whole."""

    @abc.abstractmethod
    async def states(self, fingerprints: Iterable[str]) -> dict[str, AlertState]:
        """The status and episode of those of these alerts that exist."""

    @abc.abstractmethod
    async def save_many(self, alerts: Iterable[Alert]) -> None: ...

    async def held_resolves(self, now: datetime, limit: int, held: Held = EVERYTHING) -> list[str]:
        """The subjects `held` owns of firing alerts whose held resolve is due."""
        return []


class ReceiptRepository(abc.ABC):
    """Every report taken, by event_id, with its content hash."""

    @abc.abstractmethod
    async def get_many(self, event_ids: Iterable[str]) -> dict[str, Receipt]: ...

    @abc.abstractmethod
    async def add_many(self, receipts: Iterable[Receipt]) -> None: ...

    @abc.abstractmethod
    async def save_many(self, receipts: Iterable[Receipt]) -> None: ...


class ParkingRepository(abc.ABC):
    """Reports waiting for their commitment (partner); `park` and `take_awaiting` on one
    commitment (partner) must not both commit when run concurrently."""

    @abc.abstractmethod
    async def park(self, parked: Iterable[ParkedReport]) -> None: ...

    @abc.abstractmethod
    async def take_awaiting(self, awaiting: Awaited, awaited_id: str) -> list[ParkedReport]:
        """Remove and return the reports waiting for this commitment (partner), oldest first."""

    @abc.abstractmethod
    async def take_expired(self, now: datetime, limit: int) -> list[ParkedReport]: ...

    @abc.abstractmethod
    async def counts(self, partner_ids: Iterable[str]) -> Counter[str]: ...


class RejectionRepository(SeenAggregates[Refusals]):
    """Refused reports, kept for their partners to list; what one unit of work refuses is
    its `Refusals`, whose events are the rejections to publish."""

    async def add_many(self, rejections: Iterable[ReportRejected]) -> None:
        refused = list(rejections)
        await self._store(refused)
        log = self.seen.get(Refusals.id) or Refusals()
        log.events.extend(refused)
        self._saw(log)

    async def _add(self, aggregate: Refusals) -> None:
        await self._store([e for e in aggregate.events if isinstance(e, ReportRejected)])

    @abc.abstractmethod
    async def existing(self, rejection_ids: Iterable[str]) -> set[str]: ...

    @abc.abstractmethod
    async def outdated(
        self, partners: Mapping[str, int | None], commitments: Mapping[str, int | None]
    ) -> bool:
        """Whether any of these partners or commitments, refused on at the version given
        (None: unknown), is stored at a newer one (or at all) by now: read past the unit of
        work's snapshot (pact_common.unit_of_work.SnapshotBehind)."""

    @abc.abstractmethod
    async def _store(self, rejections: list[ReportRejected]) -> None: ...


class CorrectionLog(abc.ABC):
    """The secretariat's corrections, kept as the audit of what they replaced."""

    @abc.abstractmethod
    async def add(self, correction: Correction) -> None: ...


class UnitOfWork(EventCollectingUnitOfWork):
    """Commit stores every change and the events the aggregates it has seen recorded,
    atomically."""

    partners: PartnerRepository
    commitments: CommitmentRepository
    targets: TargetRepository
    rollups: RollupRepository
    buckets: BucketRepository
    presence: PresenceRepository
    years: YearRepository
    learners: LearnerSketchRepository
    alerts: AlertRepository
    receipts: ReceiptRepository
    parking: ParkingRepository
    rejections: RejectionRepository
    corrections: CorrectionLog
    #: views kept apart (domain/view_journal.py): the journal and the keeper's states
    journal: ViewJournal | None = None
    view_states: ViewStates
    #: what its instance holds of the progress topic, for a batch of it (its sums go to its
    #: lane; it evaluates the targets it owns: domain/ownership.py)
    held: Held = EVERYTHING

    def _repositories(self) -> Iterable[SeenAggregates[Any]]:
        return (self.commitments, self.targets, self.rejections)
