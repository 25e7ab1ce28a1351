"""(1b) The faithful minimal pipeline: the floor any correct ingestion pays. A consumer group
reads the N reports in batches, validates every record with the contract model, and inserts
the batch in one unordered bulk write into a fresh collection with a unique index on
event_id, inside a MongoDB transaction; the offsets are committed after the transaction."""

from __future__ import annotations

import time
from typing import Any

from bench.perf_ingest import fresh_consumer
from pact_contracts import PROGRESS_REPORTED

MAX_RECORDS = 1000


async def pipeline(
    bootstrap: str, client: Any, database: str, topic: str, n: int
) -> dict[str, Any]:
    """Events/s from the fetch that returned the first batch to the N-th record's offset
    committed; `database` is a fresh database the caller drops."""
    collection = client[database]["reports"]
    await collection.create_index("event_id", unique=True)
    consumer = fresh_consumer(bootstrap, topic, "pipeline")
    await consumer.start()
    seen, batches, started = 0, 0, None
    try:
        while seen < n:
            asked = time.perf_counter()
            fetched = await consumer.getmany(timeout_ms=1000, max_records=MAX_RECORDS)
            records = [r for part in fetched.values() for r in part]
            if not records:
                continue
            if started is None:
                started = asked
            docs = []
            for record in records:
                report = PROGRESS_REPORTED.adapter.validate_json(record.value)
                doc = report.model_dump(mode="json")
                docs.append(doc)
            async with client.start_session() as session, await session.start_transaction():
                await collection.insert_many(docs, ordered=False, session=session)
            await consumer.commit()
            seen += len(records)
            batches += 1
        seconds = time.perf_counter() - (started or time.perf_counter())
    finally:
        await consumer.stop()
    stored = await collection.count_documents({})
    return {
        "events": seen,
        "stored": stored,
        "batches": batches,
        "seconds": round(seconds, 3),
        "events_per_s": round(seen / seconds) if seconds else None,
    }
