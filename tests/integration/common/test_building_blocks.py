"""The building blocks against the real local broker and mongod."""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
import pytest
from bson import ObjectId

from pact_common.runtime import Runtime
from pact_common.settings import ServiceSettings
from pact_common.unit_of_work import Transaction
from pact_contracts import (
    CATALOGUE,
    PARTNER_EVENTS,
    MessageDeadLettered,
    PartnerApproved,
    PartnerEvent,
    key_for,
    topic_for,
)
from tests.support.examples import PARTNER, every_event
from tests.support.kafka import Producer, read_topic, wait_until
from tests.support.runtime import settings_for_test
from tests.support.schemas import validate_asyncapi

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]


def make_runtime(namespace: str, db_name: str) -> Runtime:
    return Runtime(settings_for_test(ServiceSettings, namespace, db_name, service_name="testsvc"))


async def test_every_contract_event_round_trips_through_the_broker(
    namespace: str, db_name: str
) -> None:
    runtime = make_runtime(namespace, db_name)
    await runtime.broker.start()
    sent: dict[str, list[Any]] = defaultdict(list)
    try:
        for event in every_event():
            if isinstance(event, MessageDeadLettered):
                topic = runtime.dead_letters.topic
                await runtime.publisher.publish_raw(topic, b"k", event.to_bytes())
                sent[topic].append(event)
            else:
                await runtime.publisher.publish(event)
                sent[runtime.settings.topic(topic_for(event))].append(event)
    finally:
        await runtime.stop()
    assert sum(len(v) for v in sent.values()) == sum(len(t.events) for t in CATALOGUE[:6])
    for topic, events in sent.items():
        records = await read_topic(topic, len(events))
        adapter = next(t.adapter for t in CATALOGUE if type(events[0]) in t.events)
        received = [adapter.validate_json(r.value) for r in records]
        # Kafka keeps order within a key (one partition), not across keys: a secretariat
        # person's PersonUpdated is keyed by its user id, everything else here by partner
        assert sorted(received, key=_id) == sorted(events, key=_id), topic
        for key in {r.key for r in records}:
            in_key = [e for r, e in zip(records, received, strict=True) if r.key == key]
            assert in_key == [e for e in events if _key(e) == key], (topic, key)
        for record, event in zip(records, received, strict=True):
            assert record.key == _key(event)


def _id(event: Any) -> str:
    return str(event.event_id)


def _key(event: Any) -> bytes:
    return b"k" if isinstance(event, MessageDeadLettered) else key_for(event)


async def test_outbox_survives_a_crash_between_write_and_publish(
    namespace: str, db_name: str, mongo_client: Any
) -> None:
    crashed = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "tests.support.outbox_crash", db_name, namespace],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert crashed.returncode == -9, crashed.stderr
    event_id = crashed.stdout.strip().splitlines()[-1]
    db = mongo_client[db_name]
    assert await db["partners"].find_one({"_id": "p-crash"}) is not None
    pending = await db["outbox"].find_one({"_id": event_id})
    assert pending is not None and pending["published_at"] is None
    topic = f"{namespace}{PARTNER_EVENTS.name}"
    assert await read_topic(topic, 1, timeout=1.5) == []  # nothing was published

    runtime = Runtime(settings_for_test(ServiceSettings, namespace, db_name, service_name="crashy"))
    await runtime.start()  # the restarted process: its relay finds the pending event
    try:
        records = await read_topic(topic, 1, timeout=20, settle=1.0)
        assert [json.loads(r.value)["event_id"] for r in records] == [event_id]
        published = await wait_until(
            lambda: db["outbox"].find_one({"_id": event_id, "published_at": {"$ne": None}})
        )
        assert isinstance(published["seq"], ObjectId)  # ordered without a shared counter
    finally:
        await runtime.stop()


class CrashAfterPublish:
    """Publishes, then dies before the relay can mark the event as sent."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def publish_raw(self, topic: str, key: bytes, value: bytes) -> None:
        await self.inner.publish_raw(topic, key, value)
        raise ConnectionError("process died after publishing")


async def count_applies(uow: Transaction, event: Any) -> None:
    await uow.db["effects"].update_one(
        {"_id": event.partner_id}, {"$inc": {"applied": 1}}, upsert=True, session=uow.session
    )


async def test_a_joined_transaction_commits_only_with_its_owner(
    namespace: str, db_name: str, mongo_client: Any
) -> None:
    runtime = make_runtime(namespace, db_name)
    await runtime.outbox.ensure_indexes()
    event = PartnerApproved(partner_id="p-joined", partner_version=2, partner=PARTNER)
    db = mongo_client[db_name]
    try:
        async with runtime.unit_of_work() as owner:
            async with owner.joined() as joined:
                assert joined.session is owner.session
                await joined.db["effects"].insert_one({"_id": "p-joined"}, session=joined.session)
                joined.emit(event)
                await joined.commit()  # the owner's to do: nothing is stored yet
            assert owner.session.in_transaction
            assert await db["effects"].find_one({"_id": "p-joined"}) is None
            await owner.commit()
        assert await db["effects"].find_one({"_id": "p-joined"}) is not None
        assert await db["outbox"].find_one({"_id": str(event.event_id)}) is not None
    finally:
        await runtime.stop()


async def test_republished_and_redelivered_events_are_applied_once(
    namespace: str, db_name: str, mongo_client: Any
) -> None:
    runtime = make_runtime(namespace, db_name)
    runtime.consume(PARTNER_EVENTS, "partners", count_applies)
    await runtime.start(relay=False)
    try:
        first = PartnerApproved(partner_id="p-1", partner_version=2, partner=PARTNER)
        async with runtime.unit_of_work() as uow:
            uow.emit(first)
            await uow.commit()
        # The relay publishes, then crashes before marking: the event stays pending...
        crashing = type(runtime.relay)(
            runtime.mongo.db,
            CrashAfterPublish(runtime.publisher),
            service="testsvc",
            topic_namespace=namespace,
        )
        with pytest.raises(ConnectionError):
            await crashing.publish_pending()
        await crashing.stop()
        # ...so the next relay publishes it again, with the same event_id.
        assert await runtime.relay.publish_pending() == 1
        # And the broker redelivers it once more, byte for byte.
        topic = runtime.settings.topic(PARTNER_EVENTS)
        async with Producer() as producer:
            await producer.send(topic, first.to_bytes(), key=b"p-1")
            sentinel = PartnerApproved(partner_id="p-2", partner_version=2, partner=PARTNER)
            await producer.send(topic, sentinel.to_bytes(), key=b"p-1")  # same partition, after
        effects = mongo_client[db_name]["effects"]
        await wait_until(lambda: effects.find_one({"_id": "p-2"}), timeout=30)
        records = await read_topic(topic, 4)
        assert [json.loads(r.value)["event_id"] for r in records].count(str(first.event_id)) == 3
        assert (await effects.find_one({"_id": "p-1"}))["applied"] == 1
        assert await mongo_client[db_name]["processed_events"].count_documents({}) == 2
    finally:
        await runtime.stop()


async def test_unreadable_messages_are_dead_lettered_and_the_consumer_goes_on(
    namespace: str, db_name: str, mongo_client: Any
) -> None:
    runtime = make_runtime(namespace, db_name)
    runtime.consume(PARTNER_EVENTS, "partners", count_applies)
    await runtime.start(relay=False)
    bad = [
        b"not json {",
        b"\xff\xfe\x00garbage",
        json.dumps({"event_type": "PartnerApproved", "partner_id": "p-x"}).encode(),
        json.dumps([1, 2, 3]).encode(),
    ]
    try:
        topic = runtime.settings.topic(PARTNER_EVENTS)
        async with Producer() as producer:
            for value in bad:
                await producer.send(topic, value, key=b"p-x")
            good = PartnerApproved(partner_id="p-good", partner_version=2, partner=PARTNER)
            await producer.send(topic, good.to_bytes(), key=b"p-x")
        effects = mongo_client[db_name]["effects"]
        await wait_until(lambda: effects.find_one({"_id": "p-good"}), timeout=30)
        letters = [
            MessageDeadLettered.model_validate_json(r.value)
            for r in await read_topic(runtime.dead_letters.topic, len(bad))
        ]
        assert [base64.b64decode(d.payload_b64) for d in letters] == bad
        assert [d.reason for d in letters] == ["malformed", "malformed", "invalid", "malformed"]
        assert "partner_version: Field required" in letters[2].error
        assert {d.source_topic for d in letters} == {topic}
        assert [d.source_offset for d in letters] == [0, 1, 2, 3]
        assert await effects.count_documents({}) == 1
    finally:
        await runtime.stop()


async def test_ops_endpoints_and_asyncapi_document(namespace: str, db_name: str) -> None:
    runtime = make_runtime(namespace, db_name)
    runtime.declare_publisher(PARTNER_EVENTS)
    runtime.consume(PARTNER_EVENTS, "partners", count_applies)
    app = runtime.create_app(title="t", description="d", routers=[])
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.get("/health")).json() == {"status": "ok"}
            ready = await client.get("/ready")
            assert ready.status_code == 200 and ready.json()["checks"] == {
                "mongo": True,
                "kafka": True,
            }
            metrics = await client.get("/metrics")
            assert "pact_outbox_backlog" in metrics.text
            document = (await client.get("/asyncapi.json")).json()
            validate_asyncapi(document)
            channels = json.dumps(document["channels"])
            assert PARTNER_EVENTS.name in channels
            assert "PartnerSuspended" in json.dumps(document["components"])
            too_big = await client.post("/health", content=b"x" * (300 * 1024))
            assert too_big.status_code == 413
            assert too_big.json()["error"]["code"] == "too_large"


async def test_partner_event_union_is_the_topic_adapter() -> None:
    assert PARTNER_EVENTS.adapter.json_schema()["discriminator"]["propertyName"] == "event_type"
    assert PartnerEvent is not None
    await asyncio.sleep(0)


async def test_a_broker_that_does_not_answer_does_not_hold_a_stopping_service(
    namespace: str, db_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopping waits for Kafka a bounded time (the whole stop must fit an orchestrator's
    grace period); past it the service stops without Kafka's goodbye and MongoDB is closed."""
    import pact_common.runtime as runtime_module

    monkeypatch.setattr(runtime_module, "STOP_KAFKA_SECONDS", 0.5)
    runtime = make_runtime(namespace, db_name)
    await runtime.broker.start()
    real_stop, hung = runtime.broker.stop, asyncio.Event()

    async def never(*args: Any, **kwargs: Any) -> None:
        hung.set()
        await asyncio.sleep(3600)

    runtime.broker.stop = never  # type: ignore[method-assign]
    started = asyncio.get_running_loop().time()
    await runtime.stop()
    took = asyncio.get_running_loop().time() - started
    print(f"\nstopped in {took:.2f} s with a broker that never stops")
    await real_stop()
    assert hung.is_set() and took < 5
    with pytest.raises(Exception, match=r"after close"):
        await runtime.mongo.db["x"].find_one({})
