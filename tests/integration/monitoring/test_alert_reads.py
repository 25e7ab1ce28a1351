"""What the hot path reads of a commitment's alerts on the real mongod: its firing alerts
whole, and only the status and episode of the others it asks for (the notified alert of
each milestone reached, say), not every alert the commitment ever had."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pymongo import AsyncMongoClient, monitoring

from monitoring.core.adapters.repository import MongoAlertRepository
from monitoring.core.domain.alerting import AlertState, AlertStatus, reconcile
from monitoring.core.domain.conditions import Condition, Rule
from monitoring.core.domain.rules import commitment_subject
from tests.conftest import MONGO_URL
from tests.unit.monitoring.builders import NOW, commitment

pytestmark = pytest.mark.integration


class Replies(monitoring.CommandListener):
    """The fields of every alert document mongod sent back."""

    def __init__(self) -> None:
        self.fields: list[set[str]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None: ...

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        if event.command_name == "find":
            self.fields += [set(doc) for doc in event.reply["cursor"]["firstBatch"]]

    def failed(self, event: monitoring.CommandFailedEvent) -> None: ...


def milestone(rule: Rule, year: int, active: bool) -> Condition:
    return Condition(rule, active, 100, 150, date(year, 12, 31), f"{rule} {year}", f"{year}-12-31")


async def test_firing_alerts_whole_the_others_by_state(db_name: str) -> None:
    replies = Replies()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        MONGO_URL, event_listeners=[replies]
    )
    repo = MongoAlertRepository(client[db_name], None)  # type: ignore[arg-type]
    mine, other = (commitment_subject(commitment(i)) for i in ("c-ten-years", "c-other"))
    try:
        reached = [milestone(Rule.MILESTONE_ACHIEVED, y, True) for y in range(2016, 2026)]
        late = milestone(Rule.MILESTONE_MISSED, 2025, True)
        fired = reconcile(mine, {}, [*reached, late], NOW).changed
        fired += reconcile(other, {}, [milestone(Rule.MILESTONE_MISSED, 2025, True)], NOW).changed
        await repo.save_many(fired)
        replies.fields.clear()

        firing = await repo.firing_of([mine.key])
        whole = replies.fields[:]
        print(f"\nfiring: {sorted(firing[mine.key])}", end="; ")
        assert list(firing) == [mine.key]
        assert list(firing[mine.key]) == [late.fingerprint(mine)]
        assert all({"message", "fired_at", "subject_type"} <= f for f in whole)

        replies.fields.clear()
        asked = [c.fingerprint(mine) for c in reached] + ["MilestoneAchieved:commitment:none"]
        states = await repo.states(asked)
        print(f"{len(states)} states read, fields {sorted(set().union(*replies.fields))}")
        assert states == {
            c.fingerprint(mine): AlertState(c.fingerprint(mine), AlertStatus.NOTIFIED, 1)
            for c in reached
        }
        assert all(f == {"_id", "status", "episode"} for f in replies.fields)
        assert len(replies.fields) == len(reached)
    finally:
        await client.drop_database(db_name)
        await client.close()
