"""History kept for replay (issue 17): the topics the rebuild replays are kept forever
(retention.ms -1, pact_contracts.topics.REPLAYED), so after the broker has been restarted
(Tansu persisted to disk, on its own ports) `monitoring.rebuild` still reads every record
and its projections equal the live service's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from monitoring.bootstrap import build_app
from monitoring.config import Settings
from monitoring.rebuild.replay import rebuild
from pact_common.kept_topics import ensure_kept, retention_of
from pact_contracts import (
    CommitmentPledged,
    CommitmentSnapshot,
    CommitmentWithdrawn,
    Event,
    PartnerApproved,
    PartnerSnapshot,
    key_for,
    topic_for,
)
from pact_contracts.topics import REPLAYED
from tests.support.examples import COMMITMENT, PARTNER
from tests.support.infra import DedicatedKafka
from tests.support.kafka import wait_until
from tests.support.keeper import journal_empty
from tests.support.runtime import settings_for_test

from .conftest import ManualClock, keeper, report
from .test_reports_and_rebuild import differences, projections

pytestmark = pytest.mark.integration


@pytest.fixture
async def kafka() -> AsyncIterator[DedicatedKafka]:
    broker = DedicatedKafka("kept-history")
    await broker.start()
    try:
        yield broker
    finally:
        await broker.remove()


def history() -> tuple[list[Event], list[Event]]:
    """Reference data and a stream of reports with a correction and a withdrawal; then (once
    monitoring knows of the withdrawal: it comes on another topic) a late report of a period
    begun before it and one after it (refused)."""
    # begun this year, a quarter of grace: no rule that depends on the date fires, so the
    # alerts are the same whichever topic monitoring happens to read first
    terms = COMMITMENT.model_dump() | {"start_date": date(2026, 1, 1), "grace_days": 90}
    snapshot = CommitmentSnapshot.model_validate(terms)
    gone = CommitmentSnapshot.model_validate(terms | {"status": "withdrawn"})
    partner = PartnerSnapshot.model_validate(PARTNER.model_dump())
    events: list[Event] = [
        PartnerApproved(partner_id="p-acme", partner_version=2, partner=partner),
        CommitmentPledged(commitment_id="c-cloud", commitment_version=1, commitment=snapshot),
        CommitmentPledged(commitment_id="c-gone", commitment_version=1, commitment=snapshot),
    ]
    for revision, (q1, q2) in enumerate(((300, 500), (320, 520), (340, 700)), start=1):
        events.append(report("2026-Q1", q1, revision=revision))
        events.append(report("2026-Q2", q2, revision=revision))
    events.append(report("2026-Q1", 40, commitment_id="c-gone"))
    events.append(
        CommitmentWithdrawn(
            commitment_id="c-gone",
            commitment_version=2,
            commitment=gone,
            occurred_at=datetime(2026, 2, 10, tzinfo=UTC),
        )
    )
    late = [
        report("2026-Q1", 45, revision=2, commitment_id="c-gone"),  # begun before: taken
        report("2026-Q2", 40, commitment_id="c-gone"),  # begun after: refused
    ]
    return events, late


async def test_a_rebuild_after_a_broker_restart_equals_the_live_projections(
    kafka: DedicatedKafka, namespace: str, db_name: str, mongo_client: Any
) -> None:
    kept = await ensure_kept(kafka.bootstrap, namespace)  # as scripts/kafka.sh does
    assert set(kept.values()) == {"-1"}, kept
    clock = ManualClock()
    settings = settings_for_test(
        Settings, namespace, db_name, kafka_bootstrap=kafka.bootstrap,
        sweep_interval_seconds=3600.0, min_firing_seconds=0.0,
    )  # fmt: skip
    live = mongo_client[db_name]
    app = build_app(settings, clock)
    async with app.router.lifespan_context(app), keeper(settings):
        producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap)
        await producer.start()
        try:
            first, late = history()
            # a report whose partner and commitment monitoring has not heard of yet is
            # refused, not parked (acceptance.py), and the topics are read independently:
            # the reference data is known before the reports are sent
            reference, reports = first[:3], first[3:]
            for event in reference:
                topic = settings.topic(topic_for(event))
                await producer.send_and_wait(topic, event.to_bytes(), key=key_for(event))

            async def known() -> bool:
                partner = await live["partners"].count_documents({"_id": "p-acme"})
                commitments = await live["commitments"].count_documents({})
                return partner == 1 and commitments == 2

            await wait_until(known)
            for event in reports:
                topic = settings.topic(topic_for(event))
                await producer.send_and_wait(topic, event.to_bytes(), key=key_for(event))
            await wait_until(
                lambda: live["commitments"].find_one({"_id": "c-gone", "status": "withdrawn"})
            )
            for event in late:
                topic = settings.topic(topic_for(event))
                await producer.send_and_wait(topic, event.to_bytes(), key=key_for(event))
        finally:
            await producer.stop()

        async def applied() -> bool:
            cloud = await live["commitments"].find_one({"_id": "c-cloud", "achieved": 1_040})
            gone = await live["commitments"].find_one({"_id": "c-gone", "achieved": 45})
            refused = await live["rejections"].count_documents({"commitment_id": "c-gone"})
            return cloud is not None and gone is not None and refused == 1

        await wait_until(applied, timeout=30)
        await wait_until(lambda: journal_empty(live))  # the keeper's, when kept apart
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://monitoring"
        ) as http:
            assert (await http.get("/ready")).status_code == 200

    await kafka.stop()  # the broker restarts from its disk
    await kafka.start()
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap)
    await admin.start()
    try:
        names = [settings.topic(t) for t in REPLAYED]
        after_restart = await retention_of(admin, names)
    finally:
        await admin.close()
    print("retention after the restart:", after_restart)
    assert set(after_restart.values()) == {"-1"}

    name = f"{db_name}-rebuilt"
    try:
        summary = await rebuild(
            settings.model_copy(update={"mongo_db": name}),
            clock=clock,
            carry_from=db_name,
            idle_seconds=30,
        )
        print("records replayed:", summary.records)
        assert summary.not_read_to_end == []
        assert sum(summary.records.values()) >= sum(map(len, history()))
        rebuilt = await projections(mongo_client[name])
        live_now = await projections(live)
        assert differences(rebuilt, live_now) == {}
        assert rebuilt == live_now
        assert [c["achieved"] for c in rebuilt["commitments"]] == [1_040, 45]
    finally:
        await mongo_client.drop_database(name)
