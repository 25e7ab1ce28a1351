"""The Mongo transaction every unit of work runs in: state and outbox events commit
together. Code that runs inside a transaction someone else owns (a consumer's handlers,
whose inbox record and effect commit together) works on its `joined()` view."""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, ParamSpec, Self, TypeVar

import structlog
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import ConnectionFailure, OperationFailure, PyMongoError
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern
from tenacity import (
    RetryCallState,
    retry,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from pact_contracts import Event

from .aggregates import EventCollectingUnitOfWork, UnitOfWorkPort
from .metrics import TRANSACTION_RETRIES
from .mongo import Mongo
from .outbox import Outbox, OutboxRelay

P = ParamSpec("P")
T = TypeVar("T")


WRITE_CONFLICT = 112


def _write_conflict(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationFailure) and exc.code == WRITE_CONFLICT


class SnapshotBehind(Exception):
    """A transaction's snapshot lacks what other readers already see. MongoDB starts a
    transaction at the point up to which every write has committed: while an earlier write
    is still committing, a later one can be visible to a plain read and not to a new
    transaction. A handler that would refuse on what its snapshot holds (something absent,
    or an older version) checks past it, and raises this to run again in a newer one."""


def transient(exc: BaseException) -> bool:
    """Would running the transaction again help: a write conflict, an error labelled
    transient, or a snapshot behind (SnapshotBehind)."""
    if isinstance(exc, SnapshotBehind):
        return True
    if isinstance(exc, PyMongoError) and exc.has_error_label("TransientTransactionError"):
        return True
    return _write_conflict(exc)


_log = structlog.get_logger("transactions")


def _counted(state: RetryCallState) -> None:
    """Count the retry by handler and cause, so that documents several instances fight over
    show in /metrics (pact_transaction_retries_total)."""
    exc = state.outcome.exception() if state.outcome is not None else None
    conflict = _write_conflict(exc) or "WriteConflict" in str(exc)  # or labelled transient
    cause = "write_conflict" if conflict else "transient"
    if isinstance(exc, SnapshotBehind):
        cause = "snapshot_behind"
    name = getattr(state.fn, "__qualname__", "unknown")
    TRANSACTION_RETRIES.labels(name, cause).inc()
    _log.debug("transaction run again", handler=name, cause=cause, attempt=state.attempt_number)


def retry_transient(fn: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Run a whole handler again when its transaction hit a write conflict or another
    transient error, or read a snapshot behind what others saw (SnapshotBehind)."""
    return retry(
        retry=retry_if_exception(transient),
        stop=stop_after_attempt(8),
        wait=wait_random_exponential(multiplier=0.005, max=0.2),
        before_sleep=_counted,
        reraise=True,
    )(fn)


class Transaction:
    """`async with tx:` opens a transaction; `await tx.commit()` stores state and the
    emitted events atomically; leaving without commit rolls back."""

    def __init__(self, mongo: Mongo, outbox: Outbox, relay: OutboxRelay | None) -> None:
        self.mongo = mongo
        self.db = mongo.db
        self._outbox = outbox
        self._relay = relay
        self._events: list[Event] = []
        self._session: AsyncClientSession | None = None

    @property
    def session(self) -> AsyncClientSession:
        assert self._session is not None, "use the unit of work in `async with`"
        return self._session

    def emit(self, *events: Event) -> None:
        self._events.extend(events)

    async def __aenter__(self) -> Transaction:
        self._events = []
        self._session = self.mongo.client.start_session()
        await self._session.start_transaction(
            read_concern=ReadConcern("snapshot"), write_concern=WriteConcern("majority")
        )
        return self

    async def commit(self) -> None:
        rows = await self._outbox.add(self.session, self._events)
        for attempt in range(5):
            try:
                await self.session.commit_transaction()
                break
            except (ConnectionFailure, OperationFailure) as exc:
                if attempt < 4 and exc.has_error_label("UnknownTransactionCommitResult"):
                    continue
                raise
        self._events = []
        if rows and self._relay is not None:  # committed: out now, the poll if that fails
            self._relay.committed(rows)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        if session.in_transaction:
            await session.abort_transaction()
        await session.end_session()
        self._session = None

    def collection(self, name: str) -> Any:
        return self.db[name]

    def joined(self) -> Transaction:
        """This open transaction as seen by code that runs inside it without owning it."""
        return JoinedTransaction(self)


class JoinedTransaction(Transaction):
    """A view of an open transaction: entering, leaving and committing do nothing (its
    owner does them); emitted events go to the owner, which stores them when it commits."""

    def __init__(self, owner: Transaction) -> None:
        super().__init__(owner.mongo, owner._outbox, relay=None)
        self._owner = owner

    @property
    def session(self) -> AsyncClientSession:
        return self._owner.session

    def emit(self, *events: Event) -> None:
        self._owner.emit(*events)

    async def __aenter__(self) -> Transaction:
        return self

    async def commit(self) -> None:
        return None

    async def __aexit__(self, *exc_info: object) -> None:
        return None


class OnTransaction(UnitOfWorkPort):
    """A service's unit of work on a `Transaction` (or its `joined()` view): entering opens
    it and binds the repositories to its session; commit commits it."""

    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction

    @abc.abstractmethod
    def _bind(self, db: Any, session: AsyncClientSession) -> None:
        """Build the repositories on this transaction."""

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        await self._tx.__aenter__()
        self._bind(self._tx.db, self._tx.session)
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._tx.__aexit__(t, e, tb)

    async def commit(self) -> None:
        await self._tx.commit()


class TransactionalUnitOfWork(OnTransaction, EventCollectingUnitOfWork):
    """On a `Transaction`: commit maps the collected domain events to contract events,
    emits them and commits."""

    def __init__(self, transaction: Transaction, correlation_id: str | None = None) -> None:
        super().__init__(transaction)
        self._correlation_id = correlation_id

    @abc.abstractmethod
    def _to_contract(self, event: Any, aggregate: Any, correlation_id: str | None) -> Event:
        """The one mapping from a domain event (of this aggregate) to a contract event."""

    async def commit(self) -> None:
        for event, aggregate in self.collect_new_events():
            self._tx.emit(self._to_contract(event, aggregate, self._correlation_id))
        await super().commit()
