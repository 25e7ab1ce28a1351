"""The unit of work port: repositories plus an atomic commit of state and events."""

from __future__ import annotations

import abc
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Self

from monitoring.core.domain.acceptance import Awaited, Receipt
from monitoring.core.domain.alerting import Alert
from monitoring.core.domain.events import DomainEvent, ReportRejected
from monitoring.core.domain.intake import ParkedReport
from monitoring.core.domain.model import Partner, Partnership
from monitoring.core.domain.progress import CommitmentProgress, TargetProgress
from monitoring.core.domain.rollups import Totals
from pact_common.aggregates import UnitOfWorkPort


class PartnerRepository(abc.ABC):
    """The registry's latest snapshot of each partner."""

    @abc.abstractmethod
    async def get_many(self, partner_ids: Iterable[str]) -> dict[str, Partner]: ...

    @abc.abstractmethod
    async def put(self, partner: Partner) -> None: ...

    @abc.abstractmethod
    async def put_partnership(self, partnership: Partnership) -> None: ...


class CommitmentRepository(abc.ABC):
    """Each commitment's definition (latest version) with its progress: one aggregate."""

    @abc.abstractmethod
    async def get_many(self, commitment_ids: Iterable[str]) -> dict[str, CommitmentProgress]: ...

    @abc.abstractmethod
    async def save_many(self, progress: Iterable[CommitmentProgress]) -> None: ...

    @abc.abstractmethod
    async def due_for_evaluation(self, today: date, limit: int) -> list[CommitmentProgress]:
        """Measured commitments the rules have not run on today."""


class TargetRepository(abc.ABC):
    @abc.abstractmethod
    async def get(self, target_id: str) -> TargetProgress | None: ...

    @abc.abstractmethod
    async def in_partnerships(self, partnership_ids: Iterable[str]) -> list[TargetProgress]: ...

    @abc.abstractmethod
    async def save_many(self, targets: Iterable[TargetProgress]) -> None: ...

    @abc.abstractmethod
    async def due_for_evaluation(self, today: date, limit: int) -> list[TargetProgress]: ...


class RollupRepository(abc.ABC):
    """Totals per partner, partnership, country, level (and per partnership and metric)."""

    @abc.abstractmethod
    async def get_many(self, keys: Iterable[str]) -> dict[str, Totals]: ...

    @abc.abstractmethod
    async def add(self, deltas: Mapping[str, Totals]) -> None: ...


class AlertRepository(abc.ABC):
    @abc.abstractmethod
    async def of_subjects(self, subject_ids: Iterable[str]) -> dict[str, dict[str, Alert]]:
        """subject_id -> fingerprint -> alert."""

    @abc.abstractmethod
    async def save_many(self, alerts: Iterable[Alert]) -> None: ...


class ReceiptRepository(abc.ABC):
    """Every report taken, by event_id, with its content hash."""

    @abc.abstractmethod
    async def get_many(self, event_ids: Iterable[str]) -> dict[str, Receipt]: ...

    @abc.abstractmethod
    async def add_many(self, receipts: Iterable[Receipt]) -> None: ...

    @abc.abstractmethod
    async def save_many(self, receipts: Iterable[Receipt]) -> None: ...


class ParkingRepository(abc.ABC):
    """Reports waiting for their commitment (or partner). `park` and `take_awaiting` on the
    same commitment (partner) must not both commit when they run concurrently."""

    @abc.abstractmethod
    async def park(self, parked: Iterable[ParkedReport]) -> None: ...

    @abc.abstractmethod
    async def take_awaiting(self, awaiting: Awaited, awaited_id: str) -> list[ParkedReport]:
        """Remove and return the reports waiting for this commitment (partner), oldest first."""

    @abc.abstractmethod
    async def take_expired(self, now: datetime, limit: int) -> list[ParkedReport]: ...

    @abc.abstractmethod
    async def counts(self, partner_ids: Iterable[str]) -> Counter[str]: ...


class RejectionRepository(abc.ABC):
    @abc.abstractmethod
    async def existing(self, rejection_ids: Iterable[str]) -> set[str]: ...

    @abc.abstractmethod
    async def add_many(self, rejections: Iterable[ReportRejected]) -> None: ...


class InboxPort(abc.ABC):
    """Event ids this consumer has applied (pact_common.consuming.Inbox on Mongo)."""

    @abc.abstractmethod
    async def new_ids(self, event_ids: Iterable[str]) -> set[str]: ...

    @abc.abstractmethod
    async def record(self, event_ids: Iterable[str]) -> None: ...


class UnitOfWork(UnitOfWorkPort):
    """Commit stores every change and the emitted events, atomically."""

    partners: PartnerRepository
    commitments: CommitmentRepository
    targets: TargetRepository
    rollups: RollupRepository
    alerts: AlertRepository
    receipts: ReceiptRepository
    parking: ParkingRepository
    rejections: RejectionRepository
    inbox: InboxPort

    def __init__(self) -> None:
        self.events: list[DomainEvent] = []

    def emit(self, *events: DomainEvent) -> None:
        self.events.extend(events)

    async def __aenter__(self) -> Self:
        self.events = []
        return await super().__aenter__()
