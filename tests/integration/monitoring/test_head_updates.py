"""A commitment's head on the real mongod: stored whole when new and after a new definition;
after that, a batch sets only the small fields and the marks of the periods it wrote (and
unsets a period withdrawn), and its counts of periods with figures of the years those are
in, so the bytes a report sends do not grow with the history the head marks. Whichever way
it went, the stored head is the one a whole write stores."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import bson
import pytest
from pymongo import AsyncMongoClient, monitoring

from monitoring.core.adapters import documents as d
from monitoring.core.adapters.repository import COMMITMENTS, MongoCommitmentRepository
from monitoring.core.domain import buckets, year_deltas, years
from monitoring.core.domain.model import Figures
from monitoring.core.domain.periods import Cadence
from monitoring.core.domain.progress import CommitmentProgress
from tests.conftest import MONGO_URL
from tests.property.test_aggregation_properties import COMMITMENTS as DEFINITIONS
from tests.property.test_aggregation_properties import NOW, report

pytestmark = pytest.mark.integration


class Updates(monitoring.CommandListener):
    """The update statements sent to the commitments collection."""

    def __init__(self) -> None:
        self.statements: list[dict[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "update" and event.command["update"] == COMMITMENTS:
            self.statements += [s["u"] for s in event.command["updates"]]

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None: ...

    def failed(self, event: monitoring.CommandFailedEvent) -> None: ...


MONTHS = [f"{2016 + i // 12}-{i % 12 + 1:02d}" for i in range(120)]


def figures_of(n: int) -> Figures:
    return Figures(people_trained=n, by_country={"DE": n, "IT": 1})


async def test_a_loaded_head_gets_only_what_changed(db_name: str) -> None:
    updates = Updates()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        MONGO_URL, event_listeners=[updates]
    )
    first = DEFINITIONS[0]  # monthly, ten years
    target = replace(first.target, start_date=date(2016, 1, 1))
    db, c = client[db_name], replace(first, cadence=Cadence.MONTHLY, target=target)
    repo = MongoCommitmentRepository(db, None)  # type: ignore[arg-type]
    try:
        p = CommitmentProgress.new(c)
        for n, month in enumerate(MONTHS[:-1]):  # ten years less a month, in one go
            p.apply(report(n, c, month, 1, figures_of(n + 1)), NOW)
        buckets.change(p)  # as settling it does: the periods' scopes beyond its own (IT)
        year_deltas.change(p)  # and its periods with figures per year and scope
        p.settled()
        await repo.save_many([p])
        (whole,) = updates.statements
        print(f"\nnew head: stored whole with {len(whole['marks'])} marks", end="; ")
        assert len(whole["marks"]) == 119 and "$set" not in whole

        updates.statements.clear()
        p = (await repo.get_many([c.id], [(c.id, MONTHS[0])]))[c.id]
        p.apply(report(200, c, MONTHS[-1], 1, figures_of(7)), NOW)  # a new month
        p.correct(MONTHS[0], 2, None, "fix-1", NOW)  # the first withdrawn
        buckets.change(p)
        year_deltas.change(p)
        p.settled()
        expected = bson.decode(bson.encode(d.head_doc(p)))  # as mongod gives it back
        await repo.save_many([p])
        (update,) = updates.statements
        by_period = sorted(k for k in update["$set"] if "." in k)
        print(f"loaded head: $set {by_period}, $unset {sorted(update['$unset'])}", end="; ")
        assert by_period == ["figured.2016", "figured.2025", f"marks.{MONTHS[-1]}",
                             f"scoped.{MONTHS[-1]}"]  # fmt: skip
        assert sorted(update["$unset"]) == [f"marks.{MONTHS[0]}", f"scoped.{MONTHS[0]}"]
        assert not {"notified", "held", "firing"} & update["$set"].keys()  # as they were
        stored = await db[COMMITMENTS].find_one({"_id": c.id})
        assert stored == expected
        assert len(stored["marks"]) == 119 and MONTHS[0] not in stored["marks"]

        # what it keeps of its alerts is set when it changes, and then only that
        updates.statements.clear()
        p = (await repo.get_many([c.id], [(c.id, MONTHS[-1])]))[c.id]
        p.firing, p.notified = {"ReportingOverdue:commitment:x": 2}, {"TargetAchieved:x"}
        await repo.save_many([p])
        alerted = sorted(k for k in updates.statements[0]["$set"] if k in d.head_alerts.FIELDS)
        print(f"alerts changed: $set {alerted}", end="; ")
        assert alerted == ["firing", "notified"]
        stored = await db[COMMITMENTS].find_one({"_id": c.id})
        assert stored is not None and stored["firing"] == [["ReportingOverdue:commitment:x", 2]]
        assert stored == bson.decode(bson.encode(d.head_doc(p)))

        updates.statements.clear()
        p = (await repo.get_many([c.id], every_period=True))[c.id]
        p.redefine(replace(c, version=c.version + 1, countries=("IT",)), None, None, None)
        await repo.save_many([p])
        (again,) = updates.statements
        print(f"new definition: stored whole with {len(again['marks'])} marks")
        assert "$set" not in again and again["countries"] == ["IT"]
    finally:
        await client.drop_database(db_name)
        await client.close()


async def test_a_head_stored_without_its_periods_with_figures_is_read_whole(
    db_name: str,
) -> None:
    """A head an older version stored has no counts of periods with figures: it is read with
    every cell, and stored whole with them once a batch changes it."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO_URL, tz_aware=True)
    db, c = client[db_name], DEFINITIONS[0]
    repo = MongoCommitmentRepository(db, None)  # type: ignore[arg-type]
    try:
        p = CommitmentProgress.new(c)
        for n, quarter in enumerate(["2025-Q1", "2025-Q2", "2026-Q1"]):
            p.apply(report(n, c, quarter, 1, figures_of(n + 1)), NOW)
        year_deltas.change(p)
        p.settled()
        await repo.save_many([p])
        await db[COMMITMENTS].update_one({"_id": c.id}, {"$unset": {"figured": ""}})

        repo = MongoCommitmentRepository(db, None)  # type: ignore[arg-type]
        p = (await repo.get_many([c.id], [(c.id, "2025-Q3")]))[c.id]
        print(f"\nread with {sorted(p.periods)}", end="; ")
        assert sorted(p.periods) == ["2025-Q1", "2025-Q2", "2026-Q1"] and p.complete
        p.apply(report(9, c, "2025-Q3", 1, figures_of(4)), NOW)
        added = year_deltas.change(p)
        await repo.save_many([p])
        stored = await db[COMMITMENTS].find_one({"_id": c.id})
        print(f"stored {stored['figured']}")
        assert d.commitment_from(stored).figured == years.figured(p)
        assert stored["figured"]["2025"] == [["country:DE", 3], ["country:IT", 3],
                                             ["level:advanced", 3],
                                             ["partnership:digital", 3]]  # fmt: skip
        # a fourth period of a year with figures: no partner row starts or stops
        assert not added.partners
    finally:
        await client.drop_database(db_name)
        await client.close()
