"""Faults while a steady stream of progress reports runs: kill -9 of monitoring (twice), a
restart of the Kafka broker and of mongod, the outbox relay killed between write and
publish, and two instances in one consumer group of which one is killed. After each, the
projections equal the ground truth exactly, every alert that should fire has fired exactly
once, and every webhook was delivered once per transition.

One campaign runs through the tests of this module in order, on a Kafka broker and a mongod
of its own; each test streams the next fifth of the reports and checks everything sent so
far. Scale: in `make test`, 4,000 reports (with corrections, stale revisions and duplicates)
over 100 commitments, to keep the suite within minutes on two cores; `make faults` runs the
same campaign at 20,000 over 200 (PACT_FAULTS_REPORTS, PACT_FAULTS_COMMITMENTS)."""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from tests.support.infra import DedicatedKafka, DedicatedMongo
from tests.support.kafka import wait_until

from . import tally
from .campaign import Campaign
from .harness import RawProducer, WebhookReceiver, summary
from .world import World

pytestmark = [pytest.mark.integration, pytest.mark.faults]

REPORTS = int(os.environ.get("PACT_FAULTS_REPORTS", "4000"))
COMMITMENTS = int(os.environ.get("PACT_FAULTS_COMMITMENTS", "100"))
PHASES = 5
SCALE = f"{REPORTS:,} reports over {COMMITMENTS} commitments"


@pytest.fixture(scope="module")
async def campaign(infrastructure: None) -> AsyncIterator[Campaign]:
    name = uuid.uuid4().hex[:8]
    kafka, mongo = DedicatedKafka(f"faults-{name}"), DedicatedMongo(f"faults-{name}")
    receiver = WebhookReceiver()
    world = World(datetime.now(UTC).date(), commitments=COMMITMENTS, reports=REPORTS)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo.url, tz_aware=True)
    producer = RawProducer(kafka.bootstrap)
    c = Campaign(world, f"t{name}.", kafka, mongo, receiver, producer, client)
    try:
        await asyncio.gather(kafka.start(), mongo.start(), receiver.start())
        async with producer:
            await c.prepare()
            yield c
    finally:
        for service in c.instances:
            service.kill()
        await receiver.stop()
        await client.close()
        await asyncio.gather(kafka.remove(), mongo.remove())


def rounds_per_phase(c: Campaign) -> int:
    return len(c.world.rounds) // PHASES


async def check(c: Campaign, record: Any, fault: str, **extra: object) -> None:
    """Everything sent so far is in the projections exactly; the alerts and webhooks too.
    Every figure is measured against the ground truth and printed first; asserted after."""
    started = time.monotonic()
    truth, observed, converged = await c.converge()
    caught_up = time.monotonic() - started
    p = tally.projections(truth, observed, c.expected_rollups(truth))
    summary(
        f"faults/{fault}: scale {SCALE}; after {c.rounds_sent} of {len(c.world.rounds)} rounds: "
        f"lost {p.lost} ({p.never_taken} never taken, {p.behind} periods behind; "
        f"{p.people_short} people short), double-counted {p.double_counted} people, "
        f"{p.wrong} periods with wrong figures, roll-ups off by {p.rollups_off}; "
        f"applied {p.applied} (truth: first {truth.kinds['applied']} + corrections "
        f"{truth.kinds['replaced']}), stale rejected {p.stale} (truth {truth.kinds['stale']}); "
        + (f"caught up {caught_up:.1f} s after the stream" if converged else "NOT caught up"),
        record,
    )
    via_http = {
        ps: (
            await c.partnership_via_http(ps),
            sum(truth.total(x.id) for x in c.world.plans if x.partnership_id == ps),
        )
        for ps in ("pship-a", "pship-d")
    }
    fired = c.world.fired(c.rounds_sent)
    a = await c.alerts_on_topic(fired)
    w = await c.webhooks(fired, a.event_ids)
    on_topic = await c.messages_on_topic(truth.messages)
    details = "".join(f", {k} {v}" for k, v in extra.items())
    recovery = f"{c.recovery:.1f} s" if c.recovery is not None else "n/a"
    summary(
        f"faults/{fault}: events sent {on_topic} (distinct {len(truth.distinct)}), duplicates "
        f"ignored {on_topic - len(observed.receipts)}; alerts fired {a.expected - len(a.missing)}"
        f" of {a.expected} (missing {len(a.missing)}, unexpected {len(a.unexpected)}, twice "
        f"{len(a.twice)}; {a.repeats} repeats on the topic, same event_id); webhooks "
        f"{w.expected - len(w.missing)} of {w.expected} delivered once per transition (missing "
        f"{len(w.missing)}, unexpected {len(w.unexpected)}, misdirected {len(w.misdirected)}; "
        f"{w.resent} resent with the same X-Pact-Delivery); recovery {recovery} "
        f"(fault -> next reports applied){details}",
        record,
    )
    assert p.lost == 0 and p.double_counted == 0, p
    assert p.exact and converged, p
    assert p.stale == truth.kinds["stale"], p
    assert p.applied == truth.kinds["applied"] + truth.kinds["replaced"], p
    assert all(got == expected for got, expected in via_http.values()), via_http
    assert a.exact, a
    assert w.exact, w


async def test_kill_9_monitoring_twice(campaign: Campaign, record_property: Any) -> None:
    c = campaign
    a = c.instances[0]
    restarts: list[float] = []

    async def restart() -> None:
        restarts.append(await a.start())

    async def kill() -> None:
        await asyncio.gather(*c.background)  # the first restart is done
        c.background.clear()
        a.kill(signal.SIGKILL)
        c.probe_recovery()
        c.later(restart())

    await c.stream(rounds_per_phase(c), {2: kill, 5: kill})
    assert a.starts == 3
    await check(
        c, record_property, "kill-9-twice", restarts=" + ".join(f"{s:.1f} s" for s in restarts)
    )


async def test_kafka_broker_restart(campaign: Campaign, record_property: Any) -> None:
    c = campaign
    down: list[float] = []

    async def stop_broker() -> None:
        started = time.monotonic()
        await c.kafka.stop()
        c.probe_recovery()

        async def back() -> None:
            await asyncio.sleep(2.0)
            await c.kafka.start()
            down.append(time.monotonic() - started)

        c.later(back())

    await c.stream(rounds_per_phase(c), {3: stop_broker})
    assert all(s.process is not None and s.process.poll() is None for s in c.instances)
    await check(c, record_property, "kafka-restart", broker_down=f"{down[0]:.1f} s")


async def test_mongod_restart(campaign: Campaign, record_property: Any) -> None:
    c = campaign
    down: list[float] = []

    async def stop_mongod() -> None:
        started = time.monotonic()
        await c.mongo.stop()
        c.probe_recovery()

        async def back() -> None:
            await asyncio.sleep(3.0)
            await c.mongo.start()
            down.append(time.monotonic() - started)

        c.later(back())

    await c.stream(rounds_per_phase(c), {3: stop_mongod})
    assert all(s.process is not None and s.process.poll() is None for s in c.instances)
    await check(c, record_property, "mongod-restart", mongod_down=f"{down[0]:.1f} s")


async def test_relay_killed_between_write_and_publish(
    campaign: Campaign, record_property: Any
) -> None:
    """The alerts outbox: alerts are written (with the progress that fired them), the relay
    dies before publishing them, and so does the process; after the restart every alert is
    published exactly once per episode and delivered."""
    c = campaign
    a = c.instances[0]
    pending: list[int] = []
    await c.steal_relay_lease()

    async def kill_with_alerts_unpublished() -> None:
        await wait_until(c.pending_alerts, timeout=60)
        pending.append(await c.pending_alerts())
        a.kill(signal.SIGKILL)
        c.probe_recovery()
        await c.release_relay_lease()
        c.later(a.start())

    await c.stream(rounds_per_phase(c), {4: kill_with_alerts_unpublished})
    await check(c, record_property, "relay-killed", alerts_unpublished_at_kill=pending[0])


async def test_two_instances_one_killed(campaign: Campaign, record_property: Any) -> None:
    c = campaign
    a = c.instances[0]
    b = c.instance()
    await b.start()

    async def kill_a() -> None:
        a.kill(signal.SIGKILL)
        c.probe_recovery()

    await c.stream(rounds_per_phase(c), {3: kill_a})
    assert c.rounds_sent == len(c.world.rounds)
    await check(c, record_property, "two-instances-one-killed")
