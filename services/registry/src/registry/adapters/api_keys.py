"""MongoDB storage of a partner's extra API keys (`api_keys`), and their listing."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from pact_common.permissions import KeyScope

from ..domain.api_keys import ApiKey
from ..service_layer.unit_of_work import ApiKeyRepository

API_KEYS = "api_keys"


async def ensure_indexes(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db[API_KEYS].create_indexes(
        [
            IndexModel("key_hash", unique=True),
            IndexModel([("partner_id", ASCENDING), ("created_at", ASCENDING)]),
        ]
    )


def key_from_doc(doc: dict[str, Any]) -> ApiKey:
    return ApiKey(
        id=doc["_id"],
        partner_id=doc["partner_id"],
        label=doc["label"],
        scope=KeyScope(doc["scope"]),
        key_hash=doc["key_hash"],
        created_at=doc["created_at"],
        created_by=doc["created_by"],
    )


class MongoApiKeyRepository(ApiKeyRepository):
    def __init__(self, db: AsyncDatabase[dict[str, Any]], session: AsyncClientSession) -> None:
        self._keys = db[API_KEYS]
        self._session = session

    async def by_hash(self, key_hash: str) -> ApiKey | None:
        doc = await self._keys.find_one({"key_hash": key_hash}, session=self._session)
        return key_from_doc(doc) if doc else None

    async def count_of(self, partner_id: str) -> int:
        return await self._keys.count_documents({"partner_id": partner_id}, session=self._session)

    async def add(self, key: ApiKey) -> None:
        doc = {
            "_id": key.id,
            "partner_id": key.partner_id,
            "label": key.label,
            "scope": key.scope.value,
            "key_hash": key.key_hash,
            "created_at": key.created_at,
            "created_by": key.created_by,
        }
        await self._keys.insert_one(doc, session=self._session)

    async def delete(self, partner_id: str, key_id: str) -> bool:
        gone = await self._keys.delete_one(
            {"_id": key_id, "partner_id": partner_id}, session=self._session
        )
        return gone.deleted_count == 1


async def keys_of(db: AsyncDatabase[dict[str, Any]], partner_id: str) -> list[ApiKey]:
    docs = await db[API_KEYS].find({"partner_id": partner_id}).sort("created_at").to_list()
    return [key_from_doc(d) for d in docs]
