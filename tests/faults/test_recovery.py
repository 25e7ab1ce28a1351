"""Faults while a steady stream of progress reports runs: kill -9 of monitoring (twice, and
once with a batch's transaction held open), a restart and a kill -9 mid-produce of the Kafka
broker with its storage server, a restart and a kill -9 mid-transaction of mongod, the
outbox relay killed between write and publish, a relay process killed between publishing
and marking sent, and two instances in one consumer group of which one is killed. After
each, the projections equal the ground truth exactly, every alert that should fire has
fired exactly once, and every webhook was delivered once per transition.

One campaign runs through the tests of this module in order, on a Kafka broker and a mongod
of its own; each test streams the next ninth of the reports (the last, the rest) and checks
everything sent so far. Scale: in `make test`, 4,000 reports (with corrections, stale
revisions and duplicates) over 100 commitments, to keep the suite within minutes on two
cores; `make faults` runs the same campaign at 20,000 over 200 (PACT_FAULTS_REPORTS,
PACT_FAULTS_COMMITMENTS)."""

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
import pytest_asyncio
from pymongo import AsyncMongoClient

from pact_contracts import AlertRule
from tests.support.infra import DedicatedKafka, DedicatedMongo
from tests.support.kafka import wait_until

from . import crashes, tally
from .campaign import Campaign
from .dated import informational
from .harness import RawProducer, WebhookReceiver, summary
from .world import World

pytestmark = [
    pytest.mark.integration,
    pytest.mark.faults,
    pytest.mark.campaign,
    # A loop of its own: whatever the faults leave behind (a watcher, a thread of the default
    # executor waiting on a killed server) ends with this module, not in a later test.
    pytest.mark.asyncio(loop_scope="module"),
]

REPORTS = int(os.environ.get("PACT_FAULTS_REPORTS", "4000"))
COMMITMENTS = int(os.environ.get("PACT_FAULTS_COMMITMENTS", "100"))
PHASES = 9
SCALE = f"{REPORTS:,} reports over {COMMITMENTS} commitments"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def campaign(infrastructure: None) -> AsyncIterator[Campaign]:
    name = uuid.uuid4().hex[:8]
    kafka, mongo = DedicatedKafka(f"faults-{name}"), DedicatedMongo(f"faults-{name}")
    receiver = WebhookReceiver()
    world = World(datetime.now(UTC).date(), commitments=COMMITMENTS, reports=REPORTS)
    # bounded, so that no read of the campaign's can wait for ever on a mongod it killed
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        mongo.url, tz_aware=True, serverSelectionTimeoutMS=10_000, socketTimeoutMS=15_000
    )
    producer = RawProducer(kafka.bootstrap)
    c = Campaign(world, f"t{name}.", kafka, mongo, receiver, producer, client)
    try:
        await asyncio.gather(kafka.start(), mongo.start(), receiver.start())
        async with producer:
            await c.prepare()
            yield c
    finally:
        for work in c.background:  # a test that failed may have left a fault's work running
            work.cancel()
        for service in c.instances:
            service.kill()
        if c.keeper is not None:
            c.keeper.kill()
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
    views = await c.views_kept()
    via_http = {}
    for ps in ("pship-a", "pship-d"):
        expected = sum(truth.total(x.id) for x in c.world.plans if x.partnership_id == ps)
        via_http[ps] = (await c.partnership_via_http(ps), expected)
        via_http[f"{ps} series"] = (await c.series_via_http(ps), expected)
    kept = "inline" if c.keeper is None else (
        f"apart, the keeper killed {c.keeper.kills} times so far ({c.keeper.exits} exits of its"
        f" own), the journal empty {views:.1f} s after" if views is not None
        else "apart: the journal NOT emptied")  # fmt: skip
    summary(f"faults/{fault}: views {kept}; partnerships via HTTP (got, truth): {via_http}", record)
    fired, resolved = c.world.fired(c.rounds_sent), c.world.resolved(c.rounds_sent)
    a = await c.alerts_on_topic(fired, resolved)
    w = await c.webhooks(fired, resolved, a.event_ids)
    on_topic = await c.messages_on_topic(truth.messages)
    details = "".join(f", {k} {v}" for k, v in extra.items())
    recovery = f"{c.recovery:.1f} s" if c.recovery is not None else "n/a"
    summary(
        f"faults/{fault}: events sent {on_topic} (distinct {len(truth.distinct)}), duplicates "
        f"ignored {on_topic - len(observed.receipts)}; alerts fired "
        f"{a.happened(tally.FIRED)} of {a.wanted[tally.FIRED]} and resolved "
        f"{a.happened(tally.RESOLVED)} of {a.wanted[tally.RESOLVED]} (missing "
        f"{len(a.missing)}, unexpected {len(a.unexpected)}, twice {len(a.twice)}; {a.repeats} "
        f"repeats on the topic, same event_id; by rule fired/resolved: {a.by_rule()}); webhooks "
        f"{w.expected - len(w.missing)} of {w.expected} delivered once per transition (missing "
        f"{len(w.missing)}, unexpected {len(w.unexpected)}, misdirected {len(w.misdirected)}; "
        f"{w.resent} resent with the same webhook-id); recovery {recovery} "
        f"(fault -> next reports applied){details}",
        record,
    )
    assert p.lost == 0 and p.double_counted == 0, p
    assert p.exact and converged, p
    assert p.stale == truth.kinds["stale"], p
    assert p.applied == truth.kinds["applied"] + truth.kinds["replaced"], p
    assert views is not None and all(got == e for got, e in via_http.values()), via_http
    assert c.keeper is None or c.keeper.exits == 0, "the keeper stopped on its own: its log"
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

    await c.stream(rounds_per_phase(c), {1: kill, 3: kill})
    assert a.starts == 3
    await check(
        c, record_property, "kill-9-twice", restarts=" + ".join(f"{s:.1f} s" for s in restarts)
    )


@pytest.mark.crash
async def test_kill_9_monitoring_mid_batch(campaign: Campaign, record_property: Any) -> None:
    """The kill lands while a batch's transaction is open (held by monitoring's test-only
    pause point): its reports were consumed, mongod shows the transaction open and none of
    their receipts is visible. After the restart they are delivered again (their offsets
    were not committed) and taken once."""
    c = campaign
    proof: crashes.Proof = {}

    async def kill_mid_batch() -> None:
        c.later(crashes.kill_monitoring_mid_batch(c, proof))

    await c.stream(rounds_per_phase(c), {1: kill_mid_batch})
    assert proof["receipts_visible"] == 0, proof
    assert isinstance(proof["batch"], int) and proof["batch"] > 0, proof
    assert isinstance(proof["open_transactions"], int) and proof["open_transactions"] > 0
    assert proof["receipts_after_restart"] == proof["batch"], proof
    await check(
        c,
        record_property,
        "kill-9-mid-batch",
        batch_in_flight=f"{proof['batch']} reports (0 receipts visible)",
        open_transactions=proof["open_transactions"],
        receipts_after_restart=proof["receipts_after_restart"],
        restart=f"{proof['restart']:.1f} s",
        batch_taken=f"{proof['batch_taken_after']:.1f} s after the kill",
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

    await c.stream(rounds_per_phase(c), {2: stop_broker})
    assert all(s.process is not None and s.process.poll() is None for s in c.instances)
    await check(c, record_property, "kafka-restart", broker_down=f"{down[0]:.1f} s")


@pytest.mark.crash
async def test_kafka_broker_kill_9_mid_produce(campaign: Campaign, record_property: Any) -> None:
    """kill -9 of the broker and its storage server while a round is being produced: sends
    unacknowledged at the kill are sent again; nothing acknowledged is lost."""
    c = campaign
    proof: crashes.Proof = {}
    resent = c.producer.resent

    async def kill_broker() -> None:
        c.later(crashes.kill_broker_mid_produce(c, proof))

    await c.stream(rounds_per_phase(c), {2: kill_broker})
    assert proof["killed"] == "tansu+s3", proof
    assert isinstance(proof["unacknowledged"], int) and proof["unacknowledged"] > 0, proof
    assert all(s.process is not None and s.process.poll() is None for s in c.instances)
    await check(
        c,
        record_property,
        "kafka-kill-9",
        killed=proof["killed"],
        unacknowledged_at_kill=f"{proof['unacknowledged']} of {proof['round']}",
        sends_retried=c.producer.resent - resent,
        broker_down=proof["broker_down"],
    )


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

    await c.stream(rounds_per_phase(c), {2: stop_mongod})
    assert all(s.process is not None and s.process.poll() is None for s in c.instances)
    await check(c, record_property, "mongod-restart", mongod_down=f"{down[0]:.1f} s")


@pytest.mark.crash
async def test_mongod_kill_9_mid_transaction(campaign: Campaign, record_property: Any) -> None:
    """kill -9 of mongod while a transaction is open: no checkpoint, journal recovery."""
    c = campaign
    proof: crashes.Proof = {}

    async def kill_mongod() -> None:
        c.later(crashes.kill_mongod_mid_transaction(c, proof))

    await c.stream(rounds_per_phase(c), {2: kill_mongod})
    assert isinstance(proof["open_transactions"], int) and proof["open_transactions"] > 0
    assert all(s.process is not None and s.process.poll() is None for s in c.instances)
    await check(
        c,
        record_property,
        "mongod-kill-9",
        open_transactions_at_kill=proof["open_transactions"],
        mongod_down=proof["mongod_down"],
    )


async def poll_only(c: Campaign) -> None:
    """Restart monitoring so that only the relay holding the outbox lease publishes (by its
    poll, the crash-recovery path): a process publishes what it commits at once otherwise,
    and a stolen lease would keep nothing pending. What follows runs this way too."""
    a = c.instances[0]
    if a.env.get("MONITORING_OUTBOX_PUBLISH_AT_ONCE") == "false":
        return
    a.stop()
    a.env["MONITORING_OUTBOX_PUBLISH_AT_ONCE"] = "false"
    await a.start()


async def test_relay_killed_between_write_and_publish(
    campaign: Campaign, record_property: Any
) -> None:
    """The alerts outbox: alerts are written (with the progress that fired them), the relay
    dies before publishing them, and so does the process; after the restart every alert is
    published exactly once per episode and delivered."""
    c = campaign
    a = c.instances[0]
    pending: list[int] = []
    await poll_only(c)
    await c.steal_relay_lease()

    async def kill_with_alerts_unpublished() -> None:
        await wait_until(c.pending_alerts, timeout=60)
        pending.append(await c.pending_alerts())
        a.kill(signal.SIGKILL)
        c.probe_recovery()
        await c.release_relay_lease()
        c.later(a.start())

    await c.stream(rounds_per_phase(c), {2: kill_with_alerts_unpublished})
    await check(c, record_property, "relay-killed", alerts_unpublished_at_kill=pending[0])


@pytest.mark.crash
async def test_relay_process_killed_between_publish_and_mark(
    campaign: Campaign, record_property: Any
) -> None:
    """A relay process publishes pending alerts (acknowledged by the broker) and is killed -9
    before marking them sent; when its lease expires monitoring's relay publishes them again
    under the same event_ids, and each alert still fires and is delivered once."""
    c = campaign
    proof: crashes.Proof = {}
    await poll_only(c)
    await c.steal_relay_lease()

    async def kill_relay() -> None:
        c.later(crashes.kill_relay_process(c, proof))

    await c.stream(rounds_per_phase(c), {1: kill_relay})
    assert isinstance(proof["published_not_marked"], int) and proof["published_not_marked"] > 0
    assert proof["unmarked_after_kill"] == proof["published_not_marked"], proof
    await check(
        c,
        record_property,
        "relay-process-killed",
        published_not_marked_at_kill=proof["published_not_marked"],
        republished_after=proof["republished_after"],
    )


async def test_two_instances_one_killed(campaign: Campaign, record_property: Any) -> None:
    c = campaign
    a = c.instances[0]
    b = c.instance()
    await b.start()

    async def kill_a() -> None:
        a.kill(signal.SIGKILL)
        c.probe_recovery()

    await c.stream(len(c.world.rounds) - c.rounds_sent, {3: kill_a})
    assert c.rounds_sent == len(c.world.rounds)
    await check(c, record_property, "two-instances-one-killed")


async def test_the_campaign_fired_and_resolved_every_rule(campaign: Campaign) -> None:
    """Over the whole campaign (the tests above checked each alert against monitoring's),
    every rule fired and every rule that resolves resolved: what the world is made for."""
    world, end = campaign.world, len(campaign.world.rounds)
    fired = {f.split(":")[0] for f in world.fired(end)}
    resolved = {f.split(":")[0] for f in world.resolved(end)}
    rules = {rule.value for rule in AlertRule}
    assert fired == rules
    assert resolved == {r for r in rules if not informational(r)}
