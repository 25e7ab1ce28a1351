"""MongoDB storage of a target's cells (inside its document) and of the secretariat's calls
for pledges (their own collection, newest first when listed)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from ..domain.cells import CallForPledges, Cell
from ..service_layer.unit_of_work import CallRepository

CALLS = "calls_for_pledges"
#: GET /calls lists the newest first
CALL_ORDER = [("published_at", DESCENDING), ("_id", DESCENDING)]


def cells_doc(cells: Iterable[Cell]) -> list[dict[str, Any]]:
    return [
        {"level": c.level, "country": c.country, "gender": c.gender, "value": c.value}
        for c in cells
    ]


def cells_from(docs: Iterable[dict[str, Any]] | None) -> tuple[Cell, ...]:
    return tuple(
        Cell(d.get("level"), d.get("country"), d.get("gender"), d["value"]) for d in docs or ()
    )


def call_doc(call: CallForPledges) -> dict[str, Any]:
    return {
        "_id": call.id,
        "target_id": call.target_id,
        "partnership_id": call.partnership_id,
        "title": call.title,
        "metric": call.metric,
        "cells": cells_doc(call.cells),
        "message": call.message,
        "published_at": call.published_at,
        "actor": call.actor,
    }


async def ensure_indexes(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db[CALLS].create_index(CALL_ORDER)
    await db[CALLS].create_index([("partnership_id", DESCENDING), *CALL_ORDER])


class MongoCallRepository(CallRepository):
    def __init__(self, db: AsyncDatabase[dict[str, Any]], session: AsyncClientSession) -> None:
        self._db = db
        self._session = session

    async def add(self, call: CallForPledges) -> None:
        await self._db[CALLS].insert_one(call_doc(call), session=self._session)
