"""A unit of work whose transaction hits a write conflict is run again, and the retry is
counted in /metrics by handler and cause: how a document that several instances write shows
up."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from prometheus_client import REGISTRY

from pact_common.runtime import Runtime
from pact_common.settings import ServiceSettings
from pact_common.unit_of_work import retry_transient
from tests.support.runtime import settings_for_test

pytestmark = pytest.mark.integration


def retries(handler: str, reason: str) -> float:
    labels = {"handler": handler, "reason": reason}
    return REGISTRY.get_sample_value("pact_transaction_retries_total", labels) or 0.0


async def test_a_write_conflict_is_run_again_and_counted(
    namespace: str, db_name: str, mongo_client: Any
) -> None:
    runtime = Runtime(settings_for_test(ServiceSettings, namespace, db_name, service_name="rtx"))
    counters = runtime.mongo.db["shared"]  # the sessions' own client
    await counters.insert_one({"_id": "total", "n": 0})
    held, release = asyncio.Event(), asyncio.Event()
    attempts: list[str] = []

    async def holder() -> None:
        async with runtime.unit_of_work() as uow:
            await counters.update_one({"_id": "total"}, {"$inc": {"n": 1}}, session=uow.session)
            held.set()
            await release.wait()
            await uow.commit()

    @retry_transient
    async def adder() -> None:
        attempts.append("try")
        if len(attempts) > 1:  # run again after a counted conflict: let the holder commit
            release.set()
            await holding
        async with runtime.unit_of_work() as uow:
            await counters.update_one({"_id": "total"}, {"$inc": {"n": 10}}, session=uow.session)
            await uow.commit()

    name = adder.__wrapped__.__qualname__  # type: ignore[attr-defined]
    before = retries(name, "write_conflict")
    try:
        holding = asyncio.create_task(holder())
        await held.wait()
        await asyncio.wait_for(adder(), timeout=30)
    finally:
        await runtime.stop()
    counted = retries(name, "write_conflict") - before
    print(f"attempts {len(attempts)}, write conflicts counted {counted:.0f}")
    stored = await mongo_client[db_name]["shared"].find_one({"_id": "total"})
    assert stored["n"] == 11  # both effects, once each
    assert counted >= 1
    assert counted == len(attempts) - 1  # every attempt but the last was a counted retry
