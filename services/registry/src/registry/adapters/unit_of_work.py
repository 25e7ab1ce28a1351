"""The registry's unit of work on MongoDB: repositories bound to one transaction; commit
writes the mapped contract events to the outbox in that same transaction."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from pact_common.unit_of_work import TransactionalUnitOfWork
from pact_contracts import Event

from ..service_layer.unit_of_work import UnitOfWork
from .accounts import MongoInvitationRepository, MongoUserRepository
from .api_keys import MongoApiKeyRepository
from .publisher import to_contract
from .repository import MongoPartnerRepository, MongoPartnershipRepository


class MongoUnitOfWork(TransactionalUnitOfWork, UnitOfWork):
    def _bind(self, db: Any, session: AsyncClientSession) -> None:
        self.partners = MongoPartnerRepository(db, session)
        self.partnerships = MongoPartnershipRepository(db, session)
        self.users = MongoUserRepository(db, session)
        self.invitations = MongoInvitationRepository(db, session)
        self.api_keys = MongoApiKeyRepository(db, session)

    def _to_contract(self, event: Any, aggregate: Any, correlation_id: str | None) -> Event:
        return to_contract(event, aggregate, correlation_id)
