"""The registry's unit of work on MongoDB: repositories bound to one transaction; commit
writes the mapped contract events to the outbox in that same transaction."""

from __future__ import annotations

from types import TracebackType

from pact_common.unit_of_work import Transaction

from ..service_layer.unit_of_work import UnitOfWork
from .publisher import to_contract
from .repository import MongoPartnerRepository, MongoPartnershipRepository


class MongoUnitOfWork(UnitOfWork):
    def __init__(self, transaction: Transaction, correlation_id: str | None = None) -> None:
        super().__init__()
        self._tx = transaction
        self._correlation_id = correlation_id

    async def __aenter__(self) -> MongoUnitOfWork:
        await self._tx.__aenter__()
        self.partners = MongoPartnerRepository(self._tx.db, self._tx.session)
        self.partnerships = MongoPartnershipRepository(self._tx.db, self._tx.session)
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._tx.__aexit__(t, e, tb)

    async def commit(self) -> None:
        for event, aggregate in self.collect_new_events():
            self._tx.emit(to_contract(event, aggregate, self._correlation_id))
        await self._tx.commit()
