"""Heads stored before they kept their partner's hash (lanes.KEY_HASH, since 2026-12-07)
given it, so that each instance's sweep finds them among its own (lanes.held_heads) rather
than every instance sweeping them. The sweeper does it before its first round (sweeper.py);
it is idempotent, and instances doing it at once write the same values."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from pymongo import UpdateOne

from monitoring.core.adapters.lanes import KEY_HASH
from monitoring.core.adapters.repository import COMMITMENTS
from pact_common.kafka import key_hash

#: heads given their hash per round trip
BATCH = 1000


async def backfill(db: Any, batch: int = BATCH) -> int:
    """Gives every head without the hash its partner's; returns how many it gave."""
    heads, given = db[COMMITMENTS], 0
    lacking = {KEY_HASH: {"$exists": False}, "partner_id": {"$type": "string"}}
    while docs := await heads.find(lacking, {"partner_id": 1}, limit=batch).to_list():
        ops = [
            UpdateOne(
                {"_id": doc["_id"], KEY_HASH: {"$exists": False}},
                {"$set": {KEY_HASH: key_hash(doc["partner_id"])}},
            )
            for doc in docs
        ]
        await heads.bulk_write(ops, ordered=False)
        given += len(docs)
    return given


def given(db: Any) -> Callable[[], Awaitable[int]]:
    """`backfill` of this database, as the sweeper calls it."""
    return functools.partial(backfill, db)
