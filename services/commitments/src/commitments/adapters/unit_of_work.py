"""The commitments service's unit of work on MongoDB: repositories bound to one
transaction; commit writes the mapped contract events to the outbox in that same
transaction.

A consumer of another service's events already holds a transaction (its inbox record and
the effect commit together), so its handlers get the transaction's `joined()` view:
entering and leaving do nothing, and commit only adds the events; the consumer commits."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from pact_common.unit_of_work import TransactionalUnitOfWork
from pact_contracts import Event

from ..service_layer.unit_of_work import UnitOfWork
from .calls import MongoCallRepository
from .publisher import to_contract
from .repository import (
    MongoCommitmentRepository,
    MongoPartnershipViewRepository,
    MongoPartnerViewRepository,
    MongoTargetRepository,
)


class MongoUnitOfWork(TransactionalUnitOfWork, UnitOfWork):
    def _bind(self, db: Any, session: AsyncClientSession) -> None:
        self.commitments = MongoCommitmentRepository(db, session)
        self.partners = MongoPartnerViewRepository(db, session)
        self.partnerships = MongoPartnershipViewRepository(db, session)
        self.targets = MongoTargetRepository(db, session)
        self.calls = MongoCallRepository(db, session)

    def _to_contract(self, event: Any, aggregate: Any, correlation_id: str | None) -> Event:
        return to_contract(event, correlation_id)
