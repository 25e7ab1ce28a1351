"""The commitments service's unit of work on MongoDB: repositories bound to one
transaction; commit writes the mapped contract events to the outbox in that same
transaction.

A consumer of another service's events already holds a transaction (its inbox record and
the effect commit together), so its handlers get the transaction's `joined()` view:
entering and leaving do nothing, and commit only adds the events; the consumer commits."""

from __future__ import annotations

from types import TracebackType

from pact_common.unit_of_work import Transaction

from ..service_layer.unit_of_work import UnitOfWork
from .publisher import to_contract
from .repository import (
    MongoCommitmentRepository,
    MongoPartnershipViewRepository,
    MongoPartnerViewRepository,
    MongoTargetRepository,
)


class MongoUnitOfWork(UnitOfWork):
    def __init__(self, transaction: Transaction, correlation_id: str | None = None) -> None:
        self._tx = transaction
        self._correlation_id = correlation_id

    async def __aenter__(self) -> MongoUnitOfWork:
        await self._tx.__aenter__()
        db, session = self._tx.db, self._tx.session
        self.commitments = MongoCommitmentRepository(db, session)
        self.partners = MongoPartnerViewRepository(db, session)
        self.partnerships = MongoPartnershipViewRepository(db, session)
        self.targets = MongoTargetRepository(db, session)
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._tx.__aexit__(t, e, tb)

    async def commit(self) -> None:
        for event, _ in self.collect_new_events():
            self._tx.emit(to_contract(event, self._correlation_id))
        await self._tx.commit()
