"""The recovery campaign: monitoring run as real processes on a Kafka broker and a mongod of
its own (so they can be stopped), fed the World's stream round by round while faults are
injected, then measured against the ground truth (tally.py): projections, alerts on the
topic, webhooks. Nothing here asserts: the figures are printed first, then checked."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from pymongo import AsyncMongoClient

from monitoring.core.adapters.lanes import summed
from monitoring.notify.domain.delivery import (
    SECRETARIAT,
    delivery_id,
    delivery_key,
    partner_receiver,
)
from monitoring.notify.domain.delivery import Transition as DeliveryTransition
from pact_contracts import ALERTS, PROGRESS_REPORTED, key_for, topic_for
from tests.support import auth
from tests.support.infra import DedicatedKafka, DedicatedMongo
from tests.support.kafka import wait_until
from tests.support.keeper import Keeper, journal_empty, views_apart
from tests.support.progress_store import stored_cells
from tests.support.stack import OUTPUT, ServiceProcess

from . import tally
from .harness import RawProducer, WebhookReceiver, read_events, read_topic
from .tally import Observed
from .world import World

Hook = Callable[[], Awaitable[None]]
PARTITIONS = 4


def settings_env(c: Campaign) -> dict[str, str]:
    """Monitoring as deployed, but with the clock-driven work and the webhook retries quick."""
    return {
        "MONITORING_MONGO_URL": c.mongo.url,
        "MONITORING_LOG_LEVEL": os.environ.get("PACT_FAULTS_LOG_LEVEL", "WARNING"),
        "MONITORING_SWEEP_INTERVAL_SECONDS": "1",
        "MONITORING_SECRETARIAT_WEBHOOK_URL": c.receiver.url("/secretariat"),
        "MONITORING_DELIVERY_POLL_SECONDS": "0.2",
        "MONITORING_DELIVERY_LEASE_SECONDS": "5",
        "MONITORING_WEBHOOK_RETRY_BASE_SECONDS": "1",
        "MONITORING_WEBHOOK_RETRY_MAX_SECONDS": "5",
        "MONITORING_WEBHOOK_PRIVATE_NETWORKS": "true",  # the receiver is on 127.0.0.1
        # a resolve waits until its alert fired this long (dated.py's alerts fire once and
        # resolve once, so each resolve is still sent, a second after it is decided)
        "MONITORING_MIN_FIRING_SECONDS": "1",
        # no inhibition: whether a muted alert is sent when its inhibitor resolves depends on
        # when the release sweep runs, so the deliveries due could not be told in advance
        # (inhibition is tested in tests/integration/monitoring/test_silences.py)
        "MONITORING_INHIBITION": "{}",
        # monitoring's test-only pause point, armed when this file exists (crashes.py)
        "MONITORING_FAULT_PAUSE_FILE": str(OUTPUT / f"{c.namespace.rstrip('.')}-pause"),
    }


@dataclass
class Campaign:
    world: World
    namespace: str
    kafka: DedicatedKafka
    mongo: DedicatedMongo
    receiver: WebhookReceiver
    producer: RawProducer
    client: AsyncMongoClient[dict[str, Any]]
    instances: list[ServiceProcess] = field(default_factory=list)
    rounds_sent: int = 0
    background: list[asyncio.Task[Any]] = field(default_factory=list)
    recovery: float | None = None
    keeper: Keeper | None = None  # the views' keeper, when they are kept apart

    @property
    def db(self) -> Any:
        return self.client[self.instances[0].database]

    def topic(self, topic: Any) -> str:
        return f"{self.namespace}{topic.name}"

    def instance(self) -> ServiceProcess:
        service = ServiceProcess(  # its keeper is the campaign's, killed at random
            "monitoring", self.namespace, settings_env(self), kafka=self.kafka.bootstrap,
            keeper=False,
        )  # fmt: skip
        self.instances.append(service)
        return service

    # --- setting up ---

    async def prepare(self) -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.kafka.bootstrap)
        await admin.start()
        try:
            topic = NewTopic(self.topic(PROGRESS_REPORTED), PARTITIONS, replication_factor=1)
            await admin.create_topics([topic])
        finally:
            await admin.close()
        for event in self.world.reference_events(lambda p: self.receiver.url(f"/partners/{p}")):
            await self.producer.send(self.topic(topic_for(event)), event.to_bytes(), key_for(event))
        await self.instance().start()
        if views_apart():
            self.keeper = Keeper(self.instances[0].env, self.namespace.rstrip("."))
            await self.keeper.start()
        counts = {
            "commitments": len(self.world.plans),
            "partners": len(self.world.partners),
            "targets": len(self.world.targets),
        }

        async def loaded() -> bool:
            return all([await self.db[name].count_documents({}) == n for name, n in counts.items()])

        await wait_until(loaded, timeout=60)
        # the alerts that hold before any report (date rules: dated.py) have fired
        first = list(self.world.fired(0))

        async def fired_first() -> bool:
            held = await self.db["alerts"].count_documents({"_id": {"$in": first}})
            return bool(held == len(first))

        await wait_until(fired_first, timeout=60)

    # --- the stream and the faults ---

    async def stream(self, rounds: int, hooks: dict[int, Hook], pace: float = 0.3) -> None:
        """Send the next `rounds` rounds, one every `pace` seconds; before the i-th of them
        run hooks[i] (a fault: it may leave work to the background, awaited at the end)."""
        first = self.rounds_sent
        chaos = asyncio.ensure_future(self.keeper.killed_at_random()) if self.keeper else None
        try:
            for i, r in enumerate(range(first, first + rounds)):
                if i in hooks:
                    await hooks[i]()
                batch = self.world.rounds[r]
                topic = self.topic(PROGRESS_REPORTED)
                await self.producer.send_all(
                    topic, [(m.value, m.partner_id.encode(), None) for m in batch]
                )
                self.rounds_sent = r + 1
                await asyncio.sleep(pace)
        finally:
            if chaos is not None:
                chaos.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await chaos
        while self.background:  # a fault's work may leave more (a recovery probe)
            work = self.background[:]
            await asyncio.gather(*work)  # on failure they stay listed, for the fixture to cancel
            del self.background[: len(work)]

    def later(self, work: Awaitable[Any]) -> None:
        self.background.append(asyncio.ensure_future(work))

    def probe_recovery(self) -> None:
        """From now (a fault) until every report of the next round is taken."""
        started = time.monotonic()
        self.recovery = None
        next_round = self.world.rounds[self.rounds_sent]
        seen = {m.event_id for batch in self.world.rounds[: self.rounds_sent] for m in batch}
        wanted = [m.event_id for m in next_round if m.event_id not in seen]

        async def watch() -> None:
            while True:
                try:
                    n = await self.db["receipts"].count_documents({"_id": {"$in": wanted}})
                except Exception:  # noqa: BLE001 - mongod may be the fault
                    n = -1
                if n == len(wanted):
                    self.recovery = time.monotonic() - started
                    return
                await asyncio.sleep(0.2)

        self.later(watch())

    async def steal_relay_lease(self) -> None:
        """As if a relay had taken the outbox lease and died before publishing: events are
        written to the outbox and wait there."""
        await self.db["leases"].replace_one(
            {"_id": "outbox-relay"},
            {
                "_id": "outbox-relay",
                "owner": "a-relay-killed-before-publishing",
                "expires_at": datetime(2999, 1, 1, tzinfo=UTC),
            },
            upsert=True,
        )

    async def release_relay_lease(self) -> None:
        await self.db["leases"].delete_one({"_id": "outbox-relay"})

    async def pending_alerts(self) -> int:
        query = {"published_at": None, "event_type": "AlertFired"}
        return int(await self.db["outbox"].count_documents(query))

    # --- checking ---

    async def observe(self) -> Observed:
        periods: dict[str, dict[str, tuple[int, int]]] = {}
        totals: dict[str, int] = {}
        cells = await stored_cells(self.db)
        async for doc in self.db["commitments"].find({}, {"totals": 1}):
            periods[doc["_id"]] = {
                p: (e["revision"], e["people_trained"])
                for p, e in cells.get(doc["_id"], {}).items()
            }
            totals[doc["_id"]] = doc.get("totals", {}).get("people_trained", 0)
        found = await self.db["rollups"].find({"_id": {"$regex": "^partner"}}).to_list()
        rollups = {doc["_id"]: doc.get("people_trained", 0) for doc in summed(found)}  # lanes
        receipts = {doc["_id"] async for doc in self.db["receipts"].find({}, {"_id": 1})}
        stale = await self.db["rejections"].count_documents({"reason": "stale_revision"})
        return Observed(periods, totals, rollups, receipts, stale)

    def expected_rollups(self, truth: Any) -> dict[str, int]:
        out: Counter[str] = Counter()
        for plan in self.world.plans:
            total = truth.total(plan.id)
            out[f"partner:{plan.partner_id}"] += total
            out[f"partnership:{plan.partnership_id}"] += total
        return dict(out)

    async def converge(self, timeout: float = 150.0) -> tuple[Any, Observed, bool]:
        """Wait until the projections equal the ground truth of everything sent, or the
        timeout: the truth, what monitoring shows last, and whether they became equal."""
        truth = self.world.truth(self.rounds_sent)
        rollups = self.expected_rollups(truth)
        observed: Observed | None = None

        async def equal() -> bool:
            nonlocal observed
            try:
                observed = await self.observe()
            except Exception:  # noqa: BLE001 - while mongod restarts
                return False
            return (
                observed.periods == truth.periods
                and observed.receipts >= truth.distinct
                and {k: v for k, v in observed.rollups.items() if v} == rollups
                and observed.totals == {p.id: truth.total(p.id) for p in self.world.plans}
            )

        try:
            await wait_until(equal, timeout=timeout, interval=0.5)
            converged = True
        except AssertionError:  # not equal in time: the tally says by how much
            converged = False
        if observed is None:
            raise RuntimeError(f"monitoring's database could not be read in {timeout:.0f} s")
        return truth, observed, converged

    async def views_kept(self, timeout: float = 150.0) -> float | None:
        """When the views are kept apart: the keeper running (started again if it stopped),
        and the journal emptied; the seconds that took, None when not in time."""
        if self.keeper is None:
            return 0.0
        started = time.monotonic()
        self.keeper.running()

        async def emptied() -> bool:
            try:
                return await journal_empty(self.db)
            except Exception:  # noqa: BLE001 - while mongod restarts
                return False

        try:
            await wait_until(emptied, timeout=timeout, interval=0.5)
        except AssertionError:
            return None
        return time.monotonic() - started

    async def series_via_http(self, partnership_id: str) -> int | None:
        """The partnership's series' last cumulative people trained (a view: the buckets);
        None if it does not answer 200."""
        body = await self.as_secretariat(f"/progress/partnerships/{partnership_id}/series")
        if body is None:
            return None
        points = body["series"]
        return int(points[-1]["cumulative"]["people_trained"]) if points else 0

    async def alerts_on_topic(
        self, fired: dict[str, Any], resolved: dict[str, Any]
    ) -> tally.Alerts:
        """The alerts on monitoring.alerts.v1 against those that must have fired and been
        resolved."""
        events = await read_events(
            self.topic(ALERTS),
            len(fired) + len(resolved),
            bootstrap=self.kafka.bootstrap,
            timeout=60,
            settle=1.5,
        )
        return tally.alerts(fired, events, resolved)

    async def webhooks(
        self,
        fired: dict[str, tuple[str | None, str]],
        resolved: dict[str, tuple[str | None, str]],
        event_ids: dict[tuple[str, str], str],
    ) -> tally.Webhooks:
        """The deliveries received against those due: every transition of every alert to
        its partner and to the secretariat, each under one webhook-id, with the
        event_id of the alert event."""
        expected: dict[str, tuple[str, str]] = {}
        transitions = [(DeliveryTransition.FIRED, tally.FIRED, fired)]
        transitions.append((DeliveryTransition.RESOLVED, tally.RESOLVED, resolved))
        for transition, event_type, alerts in transitions:
            for fingerprint, (partner_id, _) in alerts.items():
                event_id = event_ids.get((event_type, fingerprint), f"not {transition.value}")
                receivers = [SECRETARIAT] + ([partner_receiver(partner_id)] if partner_id else [])
                for receiver in receivers:
                    key = delivery_key(fingerprint, 1, transition, receiver)
                    path = "/secretariat" if receiver == SECRETARIAT else f"/partners/{partner_id}"
                    expected[delivery_id(key)] = (path, event_id)

        def received() -> bool:
            return {d.delivery_id for d in self.receiver.received} >= set(expected)

        with contextlib.suppress(AssertionError):  # some never came: the tally counts them
            await wait_until(received, timeout=90, interval=0.2)
        got = [(d.delivery_id, d.path, d.body.get("event_id")) for d in self.receiver.received]
        return tally.webhooks(expected, got)

    async def partnership_via_http(self, partnership_id: str) -> int | None:
        """What GET /progress/partnerships/{id} answers; None if it does not answer 200."""
        body = await self.as_secretariat(f"/progress/partnerships/{partnership_id}")
        return None if body is None else int(body["people_trained"])

    async def as_secretariat(self, path: str) -> Any:
        """GET `path` of a running instance with the secretariat's token: the JSON body, or
        None if it does not answer 200."""
        service = next(s for s in self.instances if s.process is not None)
        headers = auth.bearer(auth.token(auth.SECRETARIAT))
        async with httpx.AsyncClient(base_url=service.url, timeout=10) as http:
            response = await http.get(path, headers=headers)
        return response.json() if response.status_code == 200 else None

    async def messages_on_topic(self, at_least: int) -> int:
        """Read, not taken from the end offsets (Tansu's are not exact after batches)."""
        records = await read_topic(
            self.topic(PROGRESS_REPORTED),
            at_least,
            bootstrap=self.kafka.bootstrap,
            timeout=60,
            settle=0.5,
        )
        return len(records)
