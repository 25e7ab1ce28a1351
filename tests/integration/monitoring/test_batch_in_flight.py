"""On the real broker and mongod: a progress batch is read while the one before is stored
(pact_common.in_flight). A batch that cannot be stored (its retries spent) is read again,
with the batch read meanwhile, and both are then stored: no report is lost, none counted
twice."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from monitoring.core.domain.commands import TakeReports
from tests.support.kafka import wait_until

from .conftest import Monitoring, report

pytestmark = pytest.mark.integration

REPORTS = 60


async def test_a_batch_that_cannot_be_stored_is_read_again_and_nothing_is_lost(
    monitoring: Monitoring,
) -> None:
    m = monitoring
    await m.partner()
    await m.commitment()
    await m.wait_for_commitment()
    progress = m.app.state.progress
    real: Callable[[TakeReports], Awaitable[Any]] = progress.take
    refused: list[int] = []

    async def take(cmd: TakeReports) -> Any:
        if len(refused) < 3:  # three batches in a row fail, past their retries
            refused.append(len(cmd.reports))
            raise ConnectionError("mongod unreachable past the retries")
        return await real(cmd)

    progress.take = take
    # revisions of one period: the figures stored and the partner's rollup are the last
    # revision's only if every report was taken, and none refused as stale shows that the
    # batches read again were taken in their order
    sent = [report("2025-Q1", 10 * n, revision=n) for n in range(1, REPORTS + 1)]
    for r in sent:
        await m.send(r)
    ids = [str(r.event_id) for r in sent]

    async def receipts() -> int:
        return await m.db["receipts"].count_documents({"_id": {"$in": ids}})

    async def all_taken() -> bool:
        return await receipts() >= REPORTS

    await wait_until(all_taken, timeout=60)
    doc = await m.progress()
    taken, stored = await receipts(), await m.db["receipts"].count_documents({})
    print(f"batches refused {refused}; receipts {taken} of {REPORTS} ({stored} in all)")
    assert refused and len(refused) == 3
    assert taken == REPORTS and stored == REPORTS
    assert doc is not None and doc["achieved"] == 10 * REPORTS
    rollup = await m.db["rollups"].find_one({"_id": "partner:p-acme"})
    assert rollup is not None and rollup["people_trained"] == 10 * REPORTS
    assert await m.db["rejections"].count_documents({}) == 0
