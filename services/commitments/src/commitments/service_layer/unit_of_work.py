"""The unit of work port: repositories plus an atomic commit of state and events."""

from __future__ import annotations

import abc
from collections.abc import Iterable
from types import TracebackType

from ..domain.events import DomainEvent
from ..domain.model import Commitment, CommitmentStatus, PartnershipTarget
from ..domain.partners import PartnershipView, PartnerView


class CommitmentRepository(abc.ABC):
    """Commitments by id and by partner; remembers what it handed out, for their events."""

    def __init__(self) -> None:
        self.seen: dict[str, Commitment] = {}

    async def get(self, commitment_id: str) -> Commitment | None:
        commitment = await self._get(commitment_id)
        if commitment is not None:
            self.seen[commitment.id] = commitment
        return commitment

    async def of_partner(
        self, partner_id: str, statuses: Iterable[CommitmentStatus]
    ) -> list[Commitment]:
        found = await self._of_partner(partner_id, frozenset(statuses))
        self.seen.update((c.id, c) for c in found)
        return found

    async def add(self, commitment: Commitment) -> None:
        await self._add(commitment)
        self.seen[commitment.id] = commitment

    @abc.abstractmethod
    async def _get(self, commitment_id: str) -> Commitment | None: ...

    @abc.abstractmethod
    async def _of_partner(
        self, partner_id: str, statuses: frozenset[CommitmentStatus]
    ) -> list[Commitment]: ...

    @abc.abstractmethod
    async def _add(self, commitment: Commitment) -> None:
        """Store a new commitment and its first history entry."""

    @abc.abstractmethod
    async def save(self, commitment: Commitment) -> None:
        """Store changes and append their history entries (never rewriting earlier ones);
        raises ConcurrentUpdate if someone else changed it meanwhile."""


class PartnerViewRepository(abc.ABC):
    """The registry's latest snapshot of each partner."""

    @abc.abstractmethod
    async def get(self, partner_id: str) -> PartnerView | None: ...

    @abc.abstractmethod
    async def put(self, partner: PartnerView) -> None: ...

    @abc.abstractmethod
    async def hold(self, partner_id: str) -> None:
        """Write to the partner's record in this transaction, so that a pledge and a
        concurrent change of the partner's status conflict (one is retried) instead of
        both committing unaware of each other."""


class PartnershipViewRepository(abc.ABC):
    @abc.abstractmethod
    async def get(self, partnership_id: str) -> PartnershipView | None: ...

    @abc.abstractmethod
    async def put(self, partnership: PartnershipView) -> None: ...


class TargetRepository(abc.ABC):
    def __init__(self) -> None:
        self.seen: dict[str, PartnershipTarget] = {}

    async def add(self, target: PartnershipTarget) -> None:
        await self._add(target)
        self.seen[target.id] = target

    @abc.abstractmethod
    async def _add(self, target: PartnershipTarget) -> None: ...


class UnitOfWork(abc.ABC):
    commitments: CommitmentRepository
    partners: PartnerViewRepository
    partnerships: PartnershipViewRepository
    targets: TargetRepository

    async def __aenter__(self) -> UnitOfWork:
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def collect_events(self) -> list[DomainEvent]:
        """The domain events of everything changed in this unit of work, in order."""
        collected: list[DomainEvent] = []
        for commitment in self.commitments.seen.values():
            collected.extend(commitment.events)
            commitment.events.clear()
        for target in self.targets.seen.values():
            collected.extend(target.events)
            target.events.clear()
        return collected

    @abc.abstractmethod
    async def commit(self) -> None: ...
