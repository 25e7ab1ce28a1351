"""MongoDB client lifecycle and transactions (PyMongo's native async API)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from enum import Enum
from typing import Any, TypeVar

from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from .paging import Position, after

T = TypeVar("T")
Document = dict[str, Any]
NAMESPACE_EXISTS = 48


async def create_collections(db: AsyncDatabase[Document], names: set[str]) -> None:
    """Those of these collections that do not exist yet, made now: one first written in a
    transaction is created by it, and two instances' transactions would each create it (the
    second to commit fails with WriteConflict). Another instance may make one meanwhile."""
    for name in names - set(await db.list_collection_names()):
        try:
            await db.create_collection(name, check_exists=False)
        except OperationFailure as exc:
            if exc.code != NAMESPACE_EXISTS:
                raise


class Mongo:
    """One client per process; `transaction` runs a callback in a retried transaction."""

    def __init__(self, url: str, database: str, appname: str | None = None) -> None:
        """`appname`: how mongod names this client's operations ($currentOp, its log)."""
        self.client: AsyncMongoClient[Document] = AsyncMongoClient(
            url,
            tz_aware=True,
            serverSelectionTimeoutMS=5_000,
            uuidRepresentation="standard",
            appname=appname,
        )
        self.db: AsyncDatabase[Document] = self.client[database]

    async def transaction(self, work: Callable[[AsyncClientSession], Awaitable[T]]) -> T:
        """Run `work` in a transaction; transient errors (write conflicts) are retried."""
        async with self.client.start_session() as session:
            return await session.with_transaction(
                work,
                read_concern=ReadConcern("snapshot"),
                write_concern=WriteConcern("majority"),
            )

    async def ping(self) -> bool:
        try:
            await self.client.admin.command("ping")
        except Exception:  # noqa: BLE001 - readiness only reports
            return False
        return True

    async def close(self) -> None:
        await self.client.close()


def matching(**conditions: object) -> Document:
    """A listing's query from its filters, each named as the document field it matches:
    every filter given must match (an enum by its value); None matches anything."""
    return {
        field: value.value if isinstance(value, Enum) else value
        for field, value in conditions.items()
        if value is not None
    }


def newer_than(seen: Mapping[str, int | None]) -> Document:
    """A query for the documents stored at a version above the one seen of each id (None:
    seen as absent, so any version): what a refusal made on a snapshot looks for past it
    (pact_common.unit_of_work.SnapshotBehind)."""
    return {
        "$or": [
            {"_id": i} | ({} if v is None else {"version": {"$gt": v}}) for i, v in seen.items()
        ]
    }


async def page(
    collection: AsyncCollection[Document],
    query: Document,
    order: list[tuple[str, int]],
    offset: int,
    limit: int,
    start: Position | None = None,
) -> tuple[int, list[Document]]:
    """One page of a listing and how many documents match in all. `order` must end in a
    unique field (`_id`) so that pages neither repeat nor skip a document. `start`: only the
    documents after this position (pact_common.paging), read from there by the index."""
    total = await collection.count_documents(query)
    where = query if start is None else {"$and": [query, after(start, order)]}
    docs = await collection.find(where).sort(order).skip(offset).limit(limit).to_list()
    return total, docs
