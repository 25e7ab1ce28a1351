"""The buckets, the partners per scope and the annual report's year rows on the real mongod:
deltas add up in one document per key, fixed fields kept; a document whose count falls to
nothing is deleted, and one still counted is not."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo import AsyncMongoClient

from monitoring.core.adapters.counters import (
    MongoBucketRepository,
    MongoPresenceRepository,
    MongoYearRepository,
)
from monitoring.core.domain import buckets, presence, years
from monitoring.core.domain.figures import AMOUNT_NAMES, Figures
from monitoring.core.domain.progress import CommitmentProgress
from monitoring.core.domain.years import Yearly
from monitoring.views.adapters.aggregate_views import AggregateViews
from monitoring.views.domain.annual_report import annual_report
from tests.property.test_aggregation_properties import COMMITMENTS, NOW, report

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


async def test_year_rows_on_mongod_read_back_as_the_annual_report_of_the_fold(
    mongo_client: AsyncMongoClient[dict[str, Any]], db_name: str
) -> None:
    """Two partners' commitments with periods in 2025 and 2026 (one broken down by gender):
    their year rows stored by deltas read back (AggregateViews.annual) as the report the fold
    over their cells makes, over all and per partnership; taking one away leaves no row of
    it behind."""
    db = mongo_client[db_name]
    stored = MongoYearRepository(db, None)  # type: ignore[arg-type]
    c1, _, c3 = COMMITMENTS
    first = CommitmentProgress(c1)
    first.apply(report(1, c1, "2025-Q4", 1, Figures(people_trained=40, by_gender={"female": 40})),
                NOW)  # fmt: skip
    first.apply(report(2, c1, "2026-Q1", 1, Figures(people_trained=25, people_reached=900)), NOW)
    second = CommitmentProgress(c3)
    second.apply(report(3, c3, "2026-Q1", 1, Figures(investment_cents=150_000)), NOW)
    for p in (first, second):
        await stored.add(years.contribution(p))
    views = AggregateViews(db)
    for year in (2025, 2026):
        for partnership in (None, c1.partnership_id):
            read = await views.annual(year, partnership)
            folded = annual_report(year, [first, second], partnership)
            print(year, partnership, "total:", read.total.figures, read.total.by_status)
            assert read == folded, (year, partnership)
    assert (await views.annual(2025)).breakdowns["by_gender"] == {"female": 40}
    assert await views.years_reported() == [2025, 2026]
    await stored.add(Yearly().minus(years.contribution(second)))
    left = {d["_id"] async for d in db["year_partners"].find()}
    print("partner rows left:", len(left))
    assert left and not any(k.endswith(f"|{c3.partner_id}") for k in left)
    assert await views.annual(2026) == annual_report(2026, [first])
    await stored.add(Yearly().minus(years.contribution(first)))
    assert await db["years"].count_documents({}) == 0
    assert await db["year_partners"].count_documents({}) == 0
    assert await db["year_counts"].count_documents({}) == 0
