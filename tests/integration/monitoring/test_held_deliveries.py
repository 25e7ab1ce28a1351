"""Held deliveries on the real mongod, as the release sweep reads them: more held than one page
are paged through in turn, so none waits for ever behind the first page; and inhibition
matches an alert with the inhibitors firing on its own subject only, however many fire."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from monitoring.core.adapters.repository import ALERTS
from monitoring.notify.adapters.delivery_queue import DELIVERIES, delivery_doc
from monitoring.notify.adapters.silences import MongoHeldDeliveries, MongoMuting
from monitoring.notify.domain.delivery import DeliveryStatus, Notice, Transition, deliveries_for
from monitoring.notify.domain.silences import DEFAULT_INHIBITION, AlertFacts
from monitoring.notify.service_layer import muting

pytestmark = pytest.mark.integration
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def at_risk(commitment: str) -> str:
    return f"CommitmentAtRisk:commitment:{commitment}"


def missed(commitment: str) -> dict[str, Any]:
    return {
        "_id": f"TargetMissed:commitment:{commitment}",
        "rule": "TargetMissed",
        "status": "firing",
        "subject_key": f"commitment:{commitment}",
    }


def inhibited(commitment: str) -> dict[str, Any]:
    notice = Notice("e", "AlertFired", at_risk(commitment), 1, Transition.FIRED, "p-1", "ps-1")
    (d,) = deliveries_for(notice, "{}", ["secretariat"], NOW)
    return delivery_doc(replace(d, status=DeliveryStatus.INHIBITED, last_error="inhibited"))


async def test_more_held_than_a_page_are_each_looked_at_in_turn(
    mongo_client: AsyncMongoClient[dict[str, Any]], db_name: str
) -> None:
    db = mongo_client[db_name]
    await db[DELIVERIES].insert_many([inhibited(f"c-{i}") for i in range(5)])
    queue = MongoHeldDeliveries(db)
    pages = [[d.fingerprint[-3:] for d in await queue.held(2)] for _ in range(4)]
    print("\npages of 2 over 5 held:", pages)
    assert pages == [["c-0", "c-1"], ["c-2", "c-3"], ["c-4"], ["c-0", "c-1"]]

    # c-0 and c-1 stay inhibited (their target missed); the other three are no longer muted
    # and still fire: sweeps of 2 release them, though the first page never empties.
    await db[ALERTS].insert_many(
        [{"_id": at_risk(f"c-{i}"), "status": "firing", "episode": 1} for i in range(5)]
        + [missed(f"c-{i}") for i in range(2)]
    )
    mutes, fresh = MongoMuting(db, DEFAULT_INHIBITION), MongoHeldDeliveries(db)
    released = [await muting.release(fresh, mutes, NOW, limit=2) for _ in range(4)]
    sent = db[DELIVERIES].find({"status": "pending"})
    pending = sorted([d["fingerprint"][-3:] async for d in sent])
    print("released per sweep:", released, "pending after:", pending)
    assert sum(released) == 3 and pending == ["c-2", "c-3", "c-4"]


async def test_an_inhibitor_mutes_its_own_subject_only(
    mongo_client: AsyncMongoClient[dict[str, Any]], db_name: str
) -> None:
    db = mongo_client[db_name]
    await db[ALERTS].insert_many([missed(f"c-{i}") for i in range(0, 300, 2)])
    alerts = [AlertFacts.of_fingerprint(at_risk(f"c-{i}"), "p-1", "ps-1") for i in range(300)]
    checks = await MongoMuting(db, DEFAULT_INHIBITION).check_many(alerts, NOW)
    muted = [a.subject_id for a, why in zip(alerts, checks, strict=True) if why.muted]
    print(f"\n{len(muted)} of {len(alerts)} muted; c-4 by", checks[4].inhibited_by)
    assert muted == [f"c-{i}" for i in range(0, 300, 2)]
    assert checks[4].inhibited_by == ("TargetMissed:commitment:c-4",)
