"""The daily sweep with instances in one consumer group, on the real mongod: each instance
evaluates only the commitments whose partner's partition it holds (the partition Kafka's
default partitioner gives the report's key, the partner), so the instances do not evaluate
the same commitments and conflict over them once a day; a head stored before heads kept
their key's hash is swept by every instance, as before. The held resolves the sweep
settles are each instance's own in the same way, a partnership target's by its id."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from aiokafka.partitioner import DefaultPartitioner

from monitoring.core.adapters.alert_documents import alert_doc
from monitoring.core.adapters.repository import ensure_indexes
from monitoring.core.adapters.unit_of_work import MongoUnitOfWork
from monitoring.core.domain import commands
from monitoring.core.domain.alerting import Alert, AlertStatus
from monitoring.core.domain.conditions import Rule, Subject, SubjectType, fingerprint
from monitoring.core.domain.model import Metric
from monitoring.core.domain.ownership import EVERYTHING, Held
from monitoring.core.service_layer import handlers
from pact_common.kafka import key_hash
from pact_common.mongo import Mongo
from pact_common.outbox import Outbox
from pact_common.unit_of_work import Transaction
from tests.conftest import MONGO_URL
from tests.unit.monitoring.builders import NOW, commitment, partner, partnership_target

pytestmark = pytest.mark.integration

POLICY = handlers.Policy()
PARTITIONS = [0, 1, 2, 3]
PARTNERS = [f"p-{n:02d}" for n in range(24)]
TOMORROW = NOW + timedelta(days=1)


def uow(mongo: Mongo) -> MongoUnitOfWork:
    return MongoUnitOfWork(Transaction(mongo, Outbox(mongo.db), None))


def partition_of(partner_id: str) -> int:
    """Where a report keyed by its partner goes, as the producer's partitioner puts it."""
    return int(DefaultPartitioner()(partner_id.encode(), PARTITIONS, PARTITIONS))


@pytest.fixture
async def mongo() -> Any:
    m = Mongo(MONGO_URL, "test_monitoring_sweep_ownership")
    await m.client.drop_database(m.db.name)
    await ensure_indexes(m.db)
    yield m
    await m.client.drop_database(m.db.name)
    await m.close()


async def pledged(mongo: Mongo) -> None:
    """A commitment for each partner, evaluated when it came (today)."""
    for pid in PARTNERS:
        cmd = commands.RecordPartner(partner(pid))
        await handlers.record_partner(cmd, uow(mongo), lambda: NOW, POLICY)
        pledge = commands.RecordCommitment(commitment(f"c-{pid}", partner_id=pid))
        await handlers.record_commitment(pledge, uow(mongo), lambda: NOW, POLICY)


async def sweep(mongo: Mongo, held: Held) -> set[str]:
    """Tomorrow's sweep by an instance holding `held`, in steps of 5 until done: the
    commitments it evaluated."""
    heads, day = mongo.db["commitments"], {"evaluated_on": TOMORROW.date().isoformat()}
    before = {d["_id"] async for d in heads.find(day)}
    while not (await sweep_step(mongo, held)).done:
        pass
    return {d["_id"] async for d in heads.find(day)} - before


async def sweep_step(mongo: Mongo, held: Held, at: datetime = TOMORROW) -> handlers.Swept:
    cmd = commands.Sweep(5, held)
    return await handlers.sweep(cmd, uow(mongo), lambda: at, POLICY)


METRIC = Metric.PEOPLE_TRAINED


def held_alert(subject: Subject) -> Alert:
    """A firing alert whose resolve is held and due."""
    rule = Rule.COMMITMENT_AT_RISK
    return Alert(
        fingerprint(rule, subject, ""), rule, subject, AlertStatus.FIRING, 1, rule.severity,
        100.0, 10.0, None, "at risk", NOW - timedelta(minutes=10),
        resolve_after=NOW - timedelta(seconds=1),
    )  # fmt: skip


async def test_each_instance_sweeps_the_commitments_of_the_partitions_it_holds(
    mongo: Mongo,
) -> None:
    await pledged(mongo)
    first, second = Held(frozenset({0, 1}), 4), Held(frozenset({2, 3}), 4)
    swept_first = await sweep(mongo, first)
    swept_second = await sweep(mongo, second)
    expected_first = {f"c-{p}" for p in PARTNERS if partition_of(p) in (0, 1)}
    print(
        f"\nfirst instance swept {len(swept_first)}, second {len(swept_second)}, "
        f"both {len(swept_first & swept_second)}, of {len(PARTNERS)}"
    )
    assert swept_first == expected_first
    assert swept_second == {f"c-{p}" for p in PARTNERS} - expected_first
    assert 0 < len(swept_first) < len(PARTNERS)  # the split is not one-sided
    assert await sweep(mongo, EVERYTHING) == set()  # nothing left for anyone


async def test_a_head_without_the_hash_is_every_instances_until_it_is_next_written(
    mongo: Mongo,
) -> None:
    """A head stored before heads kept the hash is swept by every instance; whoever sweeps
    it writes it, with the hash, so the next day it is its partner's partition's alone."""
    await pledged(mongo)
    stranger = next(p for p in PARTNERS if partition_of(p) == 3)
    heads = mongo.db["commitments"]
    await heads.update_one({"_id": f"c-{stranger}"}, {"$unset": {"key_hash": ""}})
    only_zero = await sweep(mongo, Held(frozenset({0}), 4))
    print(f"\nthe instance holding partition 0 swept {sorted(only_zero)}")
    assert f"c-{stranger}" in only_zero
    assert only_zero - {f"c-{stranger}"} == {f"c-{p}" for p in PARTNERS if partition_of(p) == 0}
    head = await heads.find_one({"_id": f"c-{stranger}"})
    assert head is not None and head["key_hash"] == key_hash(stranger)
    next_day = TOMORROW + timedelta(days=1)
    while not (await sweep_step(mongo, Held(frozenset({0}), 4), next_day)).done:
        pass
    evaluated = {d["_id"] async for d in heads.find({"evaluated_on": next_day.date().isoformat()})}
    assert evaluated == {f"c-{p}" for p in PARTNERS if partition_of(p) == 0}


async def test_one_instance_sweeps_everything(mongo: Mongo) -> None:
    await pledged(mongo)
    alone = await sweep(mongo, Held(frozenset(PARTITIONS), 4))
    assert alone == {f"c-{p}" for p in PARTNERS}


async def test_each_instance_settles_the_held_resolves_of_what_it_owns(mongo: Mongo) -> None:
    """An alert whose resolve is held and due names its subject; a commitment's belongs to
    its partner's partition, a partnership target's to its own (Held.owns)."""
    await pledged(mongo)  # before the alerts: a new commitment would resolve them
    subjects = [
        *(Subject(SubjectType.COMMITMENT, f"c-{p}", "digital-ecosystem", METRIC, p)
          for p in PARTNERS),
        *(Subject(SubjectType.PARTNERSHIP_TARGET, f"t-{n}", "digital-ecosystem", METRIC)
          for n in range(8)),
    ]  # fmt: skip
    alerts = [alert_doc(held_alert(s)) for s in subjects]
    await mongo.db["alerts"].insert_many(alerts)
    every = {a["subject_key"] for a in alerts}
    found: dict[int, set[str]] = {}
    for mine in ({0, 1}, {2, 3}):
        held = Held(frozenset(mine), 4)
        async with uow(mongo) as u:
            found[min(mine)] = set(await u.alerts.held_resolves(NOW, 100, held))
        expected = {f"commitment:c-{p}" for p in PARTNERS if partition_of(p) in mine}
        expected |= {f"partnership_target:t-{n}" for n in range(8) if held.owns(f"t-{n}")}
        print(f"\nholding {sorted(mine)}: {len(found[min(mine)])} subjects of {len(every)}")
        assert found[min(mine)] == expected
    assert found[0] | found[2] == every and not found[0] & found[2]
    async with uow(mongo) as u:
        assert set(await u.alerts.held_resolves(NOW, 100)) == every  # one instance: all
    # the sweep settles those of its own (the commitments pledged; the targets are none)
    swept = await handlers.sweep(commands.Sweep(100, Held(frozenset({0, 1}), 4)), uow(mongo),
                                 lambda: NOW, POLICY)  # fmt: skip
    print(f"the sweep of the instance holding 0 and 1 settled {swept.commitments}")
    assert swept.commitments == len([p for p in PARTNERS if partition_of(p) in (0, 1)])


async def test_the_held_resolves_of_its_own_are_found_behind_any_number_of_others(
    mongo: Mongo,
) -> None:
    await pledged(mongo)
    mine = [p for p in PARTNERS if partition_of(p) == 0]
    others = [p for p in PARTNERS if partition_of(p) != 0]
    subjects = [
        Subject(SubjectType.COMMITMENT, f"c-{p}-{n}", "digital-ecosystem", METRIC, p)
        for p in others
        for n in range(10)
    ] + [Subject(SubjectType.COMMITMENT, f"c-{p}", "digital-ecosystem", METRIC, p) for p in mine]
    # others' first in the order the alerts are read (by _id)
    await mongo.db["alerts"].insert_many([alert_doc(held_alert(s)) for s in subjects])
    async with uow(mongo) as u:
        found = await u.alerts.held_resolves(NOW, 3, Held(frozenset({0}), 4))
    print(f"\n{len(others) * 10} others' due first, {len(mine)} of its own: found {found}")
    assert len(found) == 3 and set(found) <= {f"commitment:c-{p}" for p in mine}


async def test_each_instance_sweeps_the_partnership_targets_it_owns(mongo: Mongo) -> None:
    ids = [f"t-{n}" for n in range(12)]
    for target_id in ids:
        cmd = commands.RecordPartnershipTarget(partnership_target(target_id))
        await handlers.record_partnership_target(cmd, uow(mongo), lambda: NOW, POLICY)
    first, second = Held(frozenset({0, 1}), 4), Held(frozenset({2, 3}), 4)
    day = {"evaluated_on": TOMORROW.date().isoformat()}
    while not (await sweep_step(mongo, first)).done:
        pass
    by_first = {d["_id"] async for d in mongo.db["targets"].find(day)}
    while not (await sweep_step(mongo, second)).done:
        pass
    by_both = {d["_id"] async for d in mongo.db["targets"].find(day)}
    print(f"\ntargets swept by the first instance {sorted(by_first)}, then by both {len(by_both)}")
    assert by_first == {t for t in ids if first.owns(t)} and 0 < len(by_first) < len(ids)
    assert by_both == set(ids)
