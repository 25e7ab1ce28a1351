"""Monitoring's unit of work on MongoDB: repositories bound to one transaction; commit maps
the domain events to contract events once, writes them to the outbox and hands them to
`on_decided` (the notify slice enqueues webhook deliveries of alert events) in that same
transaction, so what follows from a decision commits with it.

A consumer of another service's events already holds a transaction (its inbox record and
the effect commit together), so its handlers get the transaction's `joined()` view:
entering, leaving and committing it do nothing; the consumer commits."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from monitoring.core.adapters import counters
from monitoring.core.adapters import repository as r
from monitoring.core.adapters import waiting as w
from monitoring.core.adapters.corrections import MongoCorrectionLog
from monitoring.core.adapters.learner_sketches import MongoLearnerSketches
from monitoring.core.adapters.publisher import to_contract
from monitoring.core.adapters.view_journal import MongoViewJournal, MongoViewStates
from monitoring.core.service_layer.unit_of_work import UnitOfWork
from pact_common.unit_of_work import OnTransaction, Transaction
from pact_contracts import Event

#: what else happens, in the same transaction, to the events a unit of work commits
OnDecided = Callable[[Transaction, Sequence[Event]], Awaitable[None]]


async def nothing_else(tx: Transaction, events: Sequence[Event]) -> None:
    return None


class MongoUnitOfWork(OnTransaction, UnitOfWork):
    def __init__(
        self,
        transaction: Transaction,
        *,
        on_decided: OnDecided = nothing_else,
        views_apart: bool = False,
    ) -> None:
        super().__init__(transaction)
        self._on_decided = on_decided
        self._views_apart = views_apart  # kept by the keeper (domain/view_journal.py)

    def _bind(self, db: Any, session: AsyncClientSession) -> None:
        self.partners = r.MongoPartnerRepository(db, session)
        self.commitments = r.MongoCommitmentRepository(db, session)
        self.targets = r.MongoTargetRepository(db, session)
        self.rollups = counters.MongoRollupRepository(db, session)
        self.buckets = counters.MongoBucketRepository(db, session)
        self.presence = counters.MongoPresenceRepository(db, session)
        self.years = counters.MongoYearRepository(db, session)
        self.learners = MongoLearnerSketches(db, session)
        self.alerts = r.MongoAlertRepository(db, session)
        self.receipts = r.MongoReceiptRepository(db, session)
        self.parking = w.MongoParkingRepository(db, session)
        self.rejections = w.MongoRejectionRepository(db, session)
        self.corrections = MongoCorrectionLog(db, session)
        self.journal = MongoViewJournal(db, session) if self._views_apart else None
        self.view_states = MongoViewStates(db, session)
        for sums in (self.rollups, self.buckets, self.years, self.learners):
            sums.lane = self.held.lane

    async def commit(self) -> None:
        published = [to_contract(event) for event, _ in self.collect_new_events()]
        self._tx.emit(*published)
        if published:
            await self._on_decided(self._tx, published)
        await super().commit()
