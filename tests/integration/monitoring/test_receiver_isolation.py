"""No receiver can hold up another, end to end: the registry and monitoring run as real
processes (as `make up` runs them) on the real mongod and broker; five partners register
webhooks at real HTTP servers on loopback (two healthy, one that drips its answer a byte
every 2 s, one that answers 10 MB of gzip, one that never answers) and the secretariat's
receiver is healthy too. Commitments are pledged in waves, each alert is delivered to its
partner and to the secretariat, and while the hostile receivers hold their attempts for the
whole deadline (10 s, the production default) the healthy receivers get theirs within a few
seconds of the alert, and monitoring's memory stays flat (the gzip is never inflated).
Every receiver verifies its deliveries with the `standardwebhooks` package and the secret
the registry answered it, and no other secret verifies them. The figures are printed
before anything is asserted."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient
from standardwebhooks import Webhook, WebhookVerificationError

from pact_common.dev_keys import DEV_ADMIN_API_KEY
from pact_common.webhook_secrets import new_secret
from pact_contracts import COMMITMENT_EVENTS, CommitmentPledged, CommitmentSnapshot
from tests.conftest import MONGO_URL
from tests.support.examples import COMMITMENT
from tests.support.kafka import Producer, wait_until
from tests.support.registry import bearer, registration
from tests.support.stack import ServiceProcess

pytestmark = pytest.mark.integration

DEADLINE = 10.0  # MONITORING_WEBHOOK_TIMEOUT_SECONDS, its default
HEALTHY = ("healthy-a", "healthy-b", "secretariat")
HOSTILE = ("dripping", "gzip-10mb", "silent")
WAVES, WAVE_EVERY = 4, 4.0
#: a healthy receiver gets each delivery within this long of the alert
FEW_SECONDS = 3.0
#: monitoring's resident memory may grow this much while the hostile receivers answer
FLAT_MIB = 32


def gzip_10mb() -> bytes:
    """About 10 MB of gzip (members of 16 MiB of zeros each) that inflates to about 10 GiB."""
    member = gzip.compress(b"\0" * (16 * 1024 * 1024), compresslevel=9)
    return member * (10 * 1024 * 1024 // len(member) + 1)


@dataclass
class Received:
    at: datetime
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A real HTTP/1.1 server on loopback that reads each request whole, keeps it, then
    answers as its kind says."""

    kind: str
    secret: str = ""
    url: str = ""
    received: list[Received] = field(default_factory=list)
    bomb: bytes = b""

    async def answer(self, writer: asyncio.StreamWriter) -> None:
        if self.kind == "dripping":  # a byte every 2 s: each read is quick, the whole is not
            for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100_000:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(2.0)
        elif self.kind == "silent":
            await asyncio.sleep(3600)
        elif self.kind == "gzip-10mb":
            head = (
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\n"
                f"Content-Length: {len(self.bomb)}\r\n\r\n"
            )
            writer.write(head.encode() + self.bomb)
            await writer.drain()
        else:
            writer.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception, asyncio.CancelledError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")[1:]
                headers = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (line.partition(":") for line in lines if line)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.received.append(Received(datetime.now(UTC), headers, body))
                await self.answer(writer)
        writer.close()


@contextlib.asynccontextmanager
async def serving(receivers: dict[str, Receiver]) -> AsyncIterator[None]:
    tasks: set[asyncio.Task[None]] = set()

    def handler(r: Receiver) -> Callable[[Any, Any], Awaitable[None]]:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            tasks.add(task)
            await r.serve(reader, writer)

        return handle

    servers = []
    for name, r in receivers.items():
        server = await asyncio.start_server(handler(r), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        r.url = f"http://127.0.0.1:{port}/{name}"
        servers.append(server)
    try:
        yield
    finally:
        for server in servers:
            server.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def commitment(partner_id: str) -> CommitmentSnapshot:
    """Halfway through its window with nothing reported: at risk (and overdue) at once."""
    today = datetime.now(UTC).date()
    return CommitmentSnapshot.model_validate(
        COMMITMENT.model_dump()
        | {
            "partner_id": partner_id,
            "start_date": today - timedelta(days=400),
            "deadline": today + timedelta(days=400),
            "milestones": [],
        }
    )


@dataclass
class Stack:
    namespace: str
    registry: ServiceProcess
    monitoring: ServiceProcess


@pytest.fixture
async def stack(infrastructure: None) -> AsyncIterator[tuple[Stack, dict[str, Receiver]]]:
    receivers = {name: Receiver(name) for name in (*HEALTHY, *HOSTILE)}
    receivers["gzip-10mb"].bomb = gzip_10mb()
    receivers["secretariat"].secret = new_secret()
    namespace = f"t{uuid.uuid4().hex[:10]}."
    key = secrets.token_urlsafe(32)  # the deployment key, both services'
    async with serving(receivers):
        registry = ServiceProcess("registry", namespace, {"REGISTRY_WEBHOOK_KEY": key})
        monitoring = ServiceProcess(
            "monitoring",
            namespace,
            {
                "MONITORING_WEBHOOK_KEY": key,
                "MONITORING_SECRETARIAT_WEBHOOK_URL": receivers["secretariat"].url,
                "MONITORING_SECRETARIAT_WEBHOOK_SECRET": receivers["secretariat"].secret,
                "MONITORING_WEBHOOK_PRIVATE_NETWORKS": "true",  # the receivers are on loopback
                "MONITORING_DELIVERY_POLL_SECONDS": "0.2",
                "MONITORING_INHIBITION": "{}",  # every alert is delivered (test_silences.py)
                "MONITORING_WEBHOOK_RETRY_BASE_SECONDS": "5",
                "MONITORING_LOG_LEVEL": "WARNING",
            },
        )
        mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO_URL, tz_aware=True)
        try:
            await asyncio.gather(registry.start(), monitoring.start())
            yield Stack(namespace, registry, monitoring), receivers
        finally:
            registry.stop()
            monitoring.stop()
            for process in (registry, monitoring):
                await mongo.drop_database(process.database)
            await mongo.close()


async def test_no_receiver_delays_the_healthy_ones_and_each_verifies_with_its_own_secret(
    stack: tuple[Stack, dict[str, Receiver]],
) -> None:
    s, receivers = stack
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO_URL, tz_aware=True)
    deliveries = mongo[s.monitoring.database]["alert_deliveries"]
    partners: dict[str, str] = {}  # receiver kind -> partner id
    async with httpx.AsyncClient(base_url=s.registry.url, timeout=10) as registry:
        admin_token = await registry.post("/auth/token", json={"api_key": DEV_ADMIN_API_KEY})
        admin = bearer(admin_token.json()["access_token"])
        for kind, r in receivers.items():
            if kind == "secretariat":
                continue
            body = registration(legal_name=f"Receiver {kind} {uuid.uuid4().hex[:6]}", vat=None)
            answer = await registry.post("/partners", json=body | {"webhook_url": r.url})
            assert answer.status_code == 201, answer.text
            r.secret, partners[kind] = answer.json()["webhook_secret"], answer.json()["partner_id"]
            approved = await registry.post(
                f"/partners/{partners[kind]}/approve", json={"reason": "test"}, headers=admin
            )
            assert approved.status_code == 200, approved.text
    monitoring_db = mongo[s.monitoring.database]

    async def all_known() -> bool:
        query = {"_id": {"$in": list(partners.values())}, "status": "active"}
        return await monitoring_db["partners"].count_documents(query) == len(partners)

    await wait_until(all_known, timeout=30)
    pid = s.monitoring.process.pid if s.monitoring.process else 0
    rss = [rss_mib(pid)]
    topic = f"{s.namespace}{COMMITMENT_EVENTS.name}"
    started = time.monotonic()
    async with Producer() as producer:
        for wave in range(WAVES):  # every partner pledges, every WAVE_EVERY seconds
            for kind, partner_id in partners.items():
                event = CommitmentPledged(
                    commitment_id=f"c-{wave}-{kind}",
                    commitment_version=1,
                    commitment=commitment(partner_id),
                )
                await producer.send(topic, event.to_bytes(), event.commitment_id.encode())
            while time.monotonic() - started < (wave + 1) * WAVE_EVERY:
                rss.append(rss_mib(pid))
                await asyncio.sleep(0.25)

    async def healthy_all_delivered() -> bool:
        due = await deliveries.count_documents(
            {"receiver": {"$in": ["secretariat", *(f"partner:{partners[k]}" for k in HEALTHY[:2])]}}
        )
        got = sum(len({q.headers["webhook-id"] for q in receivers[k].received}) for k in HEALTHY)
        rss.append(rss_mib(pid))
        return due > 0 and got >= due

    await wait_until(healthy_all_delivered, timeout=60, interval=0.25)
    for _ in range(8):  # the hostile attempts keep going: memory while they do
        rss.append(rss_mib(pid))
        await asyncio.sleep(0.5)
    docs = {d["delivery_id"]: d for d in await deliveries.find().to_list()}
    await mongo.close()

    # --- the figures, before anything is asserted -------------------------------------------
    delays: dict[str, list[float]] = {}
    for kind in HEALTHY:
        delays[kind] = [
            (q.at - docs[q.headers["webhook-id"]]["created_at"]).total_seconds()
            for q in receivers[kind].received
        ]
    print()
    for kind in HEALTHY:
        d = delays[kind]
        print(
            f"{kind:12} {len(d):3} deliveries, delay after the alert: median "
            f"{median(d):.2f} s, max {max(d):.2f} s"
        )
    for kind in HOSTILE:
        mine = [x for x in docs.values() if x["receiver"] == f"partner:{partners[kind]}"]
        attempts = sum(x["attempts"] for x in mine)
        shown = sorted({str(x.get("last_error")) for x in mine})
        print(f"{kind:12} {len(mine):3} deliveries, {attempts} attempts, last errors {shown}")
    print(
        f"monitoring RSS: start {rss[0]:.1f} MiB, peak {max(rss):.1f} MiB, end {rss[-1]:.1f} "
        f"MiB ({len(rss)} samples; the gzip answer is {len(receivers['gzip-10mb'].bomb) / 1e6:.1f}"
        f" MB, about {len(receivers['gzip-10mb'].bomb) * 1000 / 1e9:.0f} GB inflated)"
    )

    # --- what must hold ------------------------------------------------------------------------
    for kind in HEALTHY:
        assert delays[kind] and max(delays[kind]) < FEW_SECONDS, (kind, delays[kind])
    assert max(rss) - rss[0] < FLAT_MIB, rss
    for kind in HOSTILE:
        mine = [x for x in docs.values() if x["receiver"] == f"partner:{partners[kind]}"]
        assert mine and receivers[kind].received, kind
    # partners see a status code or a generic reason, never bodies or addresses
    errors = {x.get("last_error") for x in docs.values()} - {None}
    assert errors <= {"timed out", "HTTP 503"}, errors
    everyone = {kind: r.secret for kind, r in receivers.items()}
    for kind, r in receivers.items():
        for q in r.received:
            event = Webhook(r.secret).verify(q.body, q.headers)
            assert event == json.loads(q.body)
            for other, secret in everyone.items():
                if other != kind:
                    with pytest.raises(WebhookVerificationError):
                        Webhook(secret).verify(q.body, q.headers)
