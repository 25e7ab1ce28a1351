"""The partners' yearly declarations and their survey confirmations, in Mongo: one document
per partner and year each (`{partner_id}:{year}`). No topic holds them: a rebuild carries
them over from the database it replaces (rebuild/store.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from monitoring.views.domain.declarations import Activities, Declaration

Doc = dict[str, Any]
DECLARATIONS = "declarations"
CONFIRMATIONS = "survey_confirmations"


def key(partner_id: str, year: int) -> str:
    return f"{partner_id}:{year}"


def declaration_from(doc: Doc) -> Declaration:
    return Declaration(
        partner_id=doc["partner_id"],
        year=doc["year"],
        stakeholders_joined_networks=doc["stakeholders_joined_networks"],
        principles={
            name: Activities(p["activities"], p.get("count"))
            for name, p in doc["principles"].items()
        },
    )


class DeclarationStore:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self._db = db

    async def put(self, doc: Doc, by: str, at: datetime) -> Doc:
        """The partner's declaration of the year, replacing any earlier one."""
        _id = key(doc["partner_id"], doc["year"])
        stored = doc | {"_id": _id, "declared_by": by, "declared_at": at}
        await self._db[DECLARATIONS].replace_one({"_id": _id}, stored, upsert=True)
        return stored

    async def get(self, partner_id: str, year: int) -> Doc | None:
        return await self._db[DECLARATIONS].find_one({"_id": key(partner_id, year)})

    async def of_year(self, year: int, partner_ids: list[str] | None = None) -> list[Doc]:
        query: Doc = {"year": year}
        if partner_ids is not None:
            query["partner_id"] = {"$in": partner_ids}
        return await self._db[DECLARATIONS].find(query).sort("_id", ASCENDING).to_list()

    async def confirm(self, partner_id: str, year: int, digest: str, by: str, at: datetime) -> Doc:
        _id = key(partner_id, year)
        doc = {"_id": _id, "partner_id": partner_id, "year": year, "digest": digest}
        doc |= {"confirmed_by": by, "confirmed_at": at}
        await self._db[CONFIRMATIONS].replace_one({"_id": _id}, doc, upsert=True)
        return doc

    async def confirmation(self, partner_id: str, year: int) -> Doc | None:
        return await self._db[CONFIRMATIONS].find_one({"_id": key(partner_id, year)})


async def carry_over(source: AsyncDatabase[Doc], target: AsyncDatabase[Doc]) -> dict[str, int]:
    """Every declaration and confirmation of the database being replaced."""
    counts = {}
    for name in (DECLARATIONS, CONFIRMATIONS):
        docs = await source[name].find().to_list()
        for doc in docs:
            await target[name].replace_one({"_id": doc["_id"]}, doc, upsert=True)
        counts[name] = len(docs)
    return counts
