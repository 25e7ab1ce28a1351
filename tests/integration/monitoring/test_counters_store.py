"""The buckets and the partners per scope on the real mongod: deltas add up in one document
per key, fixed fields kept; a document whose count falls to nothing is deleted, and one
still counted is not."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo import AsyncMongoClient

from monitoring.core.adapters.counters import MongoBucketRepository, MongoPresenceRepository
from monitoring.core.domain import buckets, presence
from monitoring.core.domain.figures import AMOUNT_NAMES

pytestmark = pytest.mark.integration


def row(figure: int, reporting: int) -> list[int]:
    out = [0] * (buckets.REPORTING + 1)
    out[0], out[buckets.REPORTING] = figure, reporting
    return out


async def test_deltas_add_up_and_a_count_of_nothing_is_gone(
    mongo_client: AsyncMongoClient[dict[str, Any]], db_name: str
) -> None:
    db = mongo_client[db_name]
    kept = MongoBucketRepository(db, None)  # type: ignore[arg-type]
    q1, year = "partnership:digital|2026-Q1", "partnership:digital|2026"
    await kept.add({q1: row(10, 1), year: row(10, 1)})
    await kept.add({q1: row(5, 1), year: row(5, 1)})
    await kept.add({q1: row(-10, -1), year: row(-10, -1)})
    docs = {d["_id"]: d async for d in db["buckets"].find()}
    print("\nafter three batches:", docs)
    assert docs[q1]["commitments_reporting"] == 1 and docs[q1]["granularity"] == "quarter"
    assert docs[year]["granularity"] == "year" and docs[year]["scope"] == "partnership:digital"
    assert docs[q1][AMOUNT_NAMES[0]] == 5
    await kept.add({q1: row(-5, -1)})
    assert {d["_id"] async for d in db["buckets"].find()} == {year}

    partners = MongoPresenceRepository(db, None)  # type: ignore[arg-type]
    de = presence.presence_id("country:DE", "p-1")
    await partners.add({de: [2, 1]})
    await partners.add({de: [-1, -1]})
    doc = await db["scope_partners"].find_one({"_id": de})
    print("country:DE of p-1:", doc)
    assert doc is not None and (doc["commitments"], doc["with_figures"]) == (1, 0)
    assert (doc["kind"], doc["scope"], doc["partner_id"]) == ("country", "country:DE", "p-1")
    await partners.add({de: [-1, 0]})
    assert await db["scope_partners"].count_documents({}) == 0
