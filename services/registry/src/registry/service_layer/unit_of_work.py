"""The unit of work port: repositories plus an atomic commit of state and events."""

from __future__ import annotations

import abc
from types import TracebackType
from typing import Any

from ..domain.model import Partner, Partnership


class PartnerRepository(abc.ABC):
    """Partners by id, by credentials and by the uniqueness rules."""

    def __init__(self) -> None:
        self.seen: dict[str, Partner] = {}

    async def get(self, partner_id: str) -> Partner | None:
        partner = await self._get(partner_id)
        if partner is not None:
            self.seen[partner.id] = partner
        return partner

    async def add(self, partner: Partner) -> None:
        await self._add(partner)
        self.seen[partner.id] = partner

    @abc.abstractmethod
    async def _get(self, partner_id: str) -> Partner | None: ...

    @abc.abstractmethod
    async def _add(self, partner: Partner) -> None: ...

    @abc.abstractmethod
    async def save(self, partner: Partner) -> None:
        """Store changes; raises ConcurrentUpdate if someone else changed it meanwhile."""

    @abc.abstractmethod
    async def id_by_api_key_hash(self, api_key_hash: str) -> str | None: ...

    @abc.abstractmethod
    async def find_duplicate(self, partner: Partner) -> tuple[str, str] | None:
        """(field, existing partner id) of another partner with the same legal identifier
        or the same normalised name in the same country."""


class PartnershipRepository(abc.ABC):
    @abc.abstractmethod
    async def get(self, partnership_id: str) -> Partnership | None: ...

    @abc.abstractmethod
    async def add(self, partnership: Partnership) -> None: ...


class UnitOfWork(abc.ABC):
    partners: PartnerRepository
    partnerships: PartnershipRepository

    def __init__(self) -> None:
        self.new_partnerships: list[Partnership] = []
        self.actor: str | None = None

    async def __aenter__(self) -> UnitOfWork:
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def collect_events(self) -> list[tuple[Any, Any]]:
        """(domain event, aggregate) for everything changed in this unit of work."""
        collected: list[tuple[Any, Any]] = []
        for partner in self.partners.seen.values():
            collected.extend((event, partner) for event in partner.events)
            partner.events.clear()
        for partnership in self.new_partnerships:
            collected.append((partnership.created(self.actor), partnership))
        self.new_partnerships = []
        return collected

    @abc.abstractmethod
    async def commit(self) -> None: ...
