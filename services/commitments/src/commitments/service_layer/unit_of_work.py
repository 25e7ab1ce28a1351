"""The unit of work port: repositories plus an atomic commit of state and events."""

from __future__ import annotations

import abc
from collections.abc import Iterable
from typing import Any

from pact_common.aggregates import EventCollectingUnitOfWork, SeenAggregates

from ..domain.cells import CallForPledges
from ..domain.model import Commitment, CommitmentStatus, PartnershipTarget
from ..domain.partners import PartnershipView, PartnerView


class CommitmentRepository(SeenAggregates[Commitment]):
    """Commitments by id and by partner; remembers what it handed out, for their events."""

    async def get(self, commitment_id: str) -> Commitment | None:
        commitment = await self._get(commitment_id)
        self._saw(commitment)
        return commitment

    async def of_partner(
        self, partner_id: str, statuses: Iterable[CommitmentStatus]
    ) -> list[Commitment]:
        found = await self._of_partner(partner_id, frozenset(statuses))
        self._saw(*found)
        return found

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
    async def newer_by_now(self, partner_id: str, version: int | None) -> bool:
        """Whether a version of the partner above `version` (any, when None) is stored by
        now, read past the unit of work's snapshot (pact_common.unit_of_work.SnapshotBehind)."""

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


class TargetRepository(SeenAggregates[PartnershipTarget]):
    """The partnerships' common targets, as the secretariat sets them."""

    async def get(self, target_id: str) -> PartnershipTarget | None:
        target = await self._get(target_id)
        self._saw(target)
        return target

    @abc.abstractmethod
    async def _get(self, target_id: str) -> PartnershipTarget | None: ...


class CallRepository(abc.ABC):
    """The secretariat's calls for pledges, kept as published."""

    @abc.abstractmethod
    async def add(self, call: CallForPledges) -> None: ...


class UnitOfWork(EventCollectingUnitOfWork):
    commitments: CommitmentRepository
    partners: PartnerViewRepository
    partnerships: PartnershipViewRepository
    targets: TargetRepository
    calls: CallRepository

    def _repositories(self) -> Iterable[SeenAggregates[Any]]:
        return (self.commitments, self.targets)
