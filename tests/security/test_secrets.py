"""Secrets never leave the place they belong: not in a log line, not on a topic, not in a
database (beyond the SHA-256 hash of each partner's API key).

Every service runs as a real process (as `make up` runs it) with a freshly generated signing
key, admin key, webhook key and secretariat webhook secret and DEBUG logging; a partner
registers (with a webhook, whose secret is answered), the secretariat approves it, the
partner exchanges its key for tokens, rotates it, fails to log in with the old key and with
a wrong one, sends its API key where a token belongs, rotates its webhook secret, pledges
and reports progress that reaches its target, and monitoring signs the alert's deliveries
to the partner's webhook and the secretariat's receiver (a real one here). Then
every log file, every record of every topic of the test's namespace and every document of
every service's database is searched for every secret that went by, also inside base64 (a
dead-lettered message keeps its original bytes in base64).

The scanner is checked too: against planted secrets, and end to end with a canary sent in
an unreadable message, which must turn up (in a log line and, base64-encoded, on a
dead-letter topic) where a leaked secret would."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import secrets
import shutil
import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from pymongo import AsyncMongoClient

from pact_common.webhook_secrets import new_secret
from pact_contracts import PARTNER_EVENTS
from tests.conftest import MONGO_URL
from tests.integration.monitoring.webhook_receiver import Receiver, serving
from tests.security.services import SERVICES, pledge_body
from tests.support import auth
from tests.support.kafka import BOOTSTRAP, Producer, read_topic, wait_until
from tests.support.registry import registration
from tests.support.stack import OUTPUT, ServiceProcess

pytestmark = pytest.mark.integration

# --- the scanner -------------------------------------------------------------------------------

_BASE64 = re.compile(rb"[A-Za-z0-9+/_-]{16,}={0,2}")


def _decoded(blob: bytes) -> Iterable[bytes]:
    """Whatever base64 (standard or URL-safe) inside `blob` decodes to."""
    for match in _BASE64.finditer(blob):
        text = match.group().rstrip(b"=")
        for decode in (base64.b64decode, base64.urlsafe_b64decode):
            try:
                yield decode(text + b"=" * (-len(text) % 4))
            except ValueError:
                continue


def needles(named: dict[str, str]) -> dict[str, bytes]:
    """What to look for: each secret, and the part of it that gives it away on its own (an
    API key without its prefix, a token's signature, a PEM document's body)."""
    found: dict[str, bytes] = {}
    for what, value in named.items():
        found[what] = value.encode()
        if value.startswith("pk_"):
            found[f"{what} (without prefix)"] = value.removeprefix("pk_").encode()
        if value.startswith("whsec_"):
            found[f"{what} (without prefix)"] = value.removeprefix("whsec_").encode()
        if value.count(".") == 2:
            found[f"{what} (signature)"] = value.rsplit(".", 1)[1].encode()
        if "-----BEGIN" in value:
            found[what] = auth.pem_body(value).encode()
    return found


def leaks(haystack: str | bytes, named: dict[str, str]) -> list[str]:
    """The names of the secrets found in `haystack`, as they are or inside base64."""
    blob = haystack.encode() if isinstance(haystack, str) else haystack
    # JSON escapes "/" as "\/" in some encoders; look at the unescaped form too.
    blobs = [blob, blob.replace(b"\\/", b"/"), *_decoded(blob)]
    return sorted({what for what, n in needles(named).items() for b in blobs if n in b})


def test_the_scanner_finds_planted_secrets() -> None:
    pem = auth.new_private_key_pem()
    named = {
        "api key": "pk_" + secrets.token_urlsafe(32),
        "token": auth.token(auth.SECRETARIAT),
        "private key": pem,
    }
    token = named["token"]
    assert leaks("nothing to see here " + secrets.token_urlsafe(64), named) == []
    assert leaks(f'{{"event": "login", "key": "{named["api key"]}"}}', named) == [
        "api key",
        "api key (without prefix)",
    ]
    assert leaks(f"Authorization: Bearer {token}", named) == ["token", "token (signature)"]
    assert leaks(token.rsplit(".", 1)[1][5:] + " cut", named) == []  # a fragment is no leak
    assert "token (signature)" in leaks(f"sig={token.rsplit('.', 1)[1]}", named)
    assert leaks(json.dumps({"pem": pem}), named) == ["private key"]
    hook = {"webhook secret": new_secret()}
    assert leaks(f"signing with {hook['webhook secret']}", hook) == [
        "webhook secret",
        "webhook secret (without prefix)",
    ]
    key = hook["webhook secret"].removeprefix("whsec_")
    assert leaks(f"key={key}", hook) == ["webhook secret (without prefix)"]
    for pad in ("", "x", "xy"):  # base64 at every alignment, standard and URL-safe
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            wrapped = encode((pad + named["api key"]).encode())
            assert "api key" in leaks(b'{"payload_b64": "' + wrapped + b'"}', named)


# --- the platform, for real -------------------------------------------------------------------


@dataclass
class Platform:
    namespace: str
    processes: dict[str, ServiceProcess]
    #: every secret that went by, by what it is
    secrets: dict[str, str] = field(default_factory=dict)
    #: the secretariat's webhook receiver
    receiver: Receiver = field(default_factory=Receiver)

    def client(self, name: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.processes[name].url, timeout=10.0)


@pytest.fixture
async def platform(infrastructure: None) -> AsyncIterator[Platform]:
    namespace = f"t{uuid.uuid4().hex[:10]}."
    keys = OUTPUT / f"{namespace.rstrip('.')}-keys"
    keys.mkdir(parents=True)
    private_pem = auth.new_private_key_pem()
    (keys / "jwt.pem").write_text(private_pem)
    (keys / "jwt.pub").write_text(auth.public_key_pem(private_pem))
    admin_key = "adm_" + secrets.token_urlsafe(32)
    webhook_key, secretariat_secret = secrets.token_urlsafe(32), new_secret()
    receiver = Receiver(fail_first=0)
    env = {
        "REGISTRY_ADMIN_API_KEY": admin_key,
        "REGISTRY_JWT_PRIVATE_KEY_FILE": str(keys / "jwt.pem"),
        "REGISTRY_WEBHOOK_KEY": webhook_key,
        "MONITORING_WEBHOOK_KEY": webhook_key,
        "MONITORING_SECRETARIAT_WEBHOOK_SECRET": secretariat_secret,
        "MONITORING_DELIVERY_POLL_SECONDS": "0.2",
    }
    for service in SERVICES:
        prefix = service.name.upper()
        env[f"{prefix}_LOG_LEVEL"] = "DEBUG"
        if service.name != "registry":
            env[f"{prefix}_JWT_PUBLIC_KEY_FILE"] = str(keys / "jwt.pub")
    named = {
        "admin key": admin_key,
        "jwt key": private_pem,
        "webhook key": webhook_key,
        "secretariat webhook secret": secretariat_secret,
    }
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO_URL, tz_aware=True)
    processes: dict[str, ServiceProcess] = {}
    try:
        async with serving(receiver):
            env["MONITORING_SECRETARIAT_WEBHOOK_URL"] = f"{receiver.url}/secretariat"
            processes.update((s.name, ServiceProcess(s.name, namespace, env)) for s in SERVICES)
            await asyncio.gather(*(p.start() for p in processes.values()))
            yield Platform(namespace, processes, named, receiver)
    finally:
        for process in processes.values():
            process.stop()
        for process in processes.values():
            await mongo.drop_database(process.database)
        await mongo.close()
        shutil.rmtree(keys, ignore_errors=True)


async def drive(platform: Platform) -> dict[str, Any]:
    """Everything a partner and the secretariat do with credentials; returns the partner."""
    s = platform.secrets
    async with platform.client("registry") as registry:
        body = registration(legal_name=f"Secret Keeping Org {uuid.uuid4().hex[:6]}", vat=None)
        partner = (await registry.post("/partners", json=body)).json()
        s["first api key"] = partner["api_key"]
        s["first webhook secret"] = partner["webhook_secret"]
        pid = partner["partner_id"]

        async def token(api_key: str) -> httpx.Response:
            return await registry.post("/auth/token", json={"api_key": api_key})

        s["secretariat token"] = (await token(s["admin key"])).json()["access_token"]
        admin = auth.bearer(s["secretariat token"])
        approved = await registry.post(f"/partners/{pid}/approve", json={}, headers=admin)
        assert approved.status_code == 200, approved.text
        s["first token"] = (await token(s["first api key"])).json()["access_token"]
        rotated = await registry.post(  # the current key beside the token: never logged
            f"/partners/{pid}/api-key",
            headers=auth.bearer(s["first token"]) | {"X-Api-Key": s["first api key"]},
        )
        assert rotated.status_code == 200, rotated.text
        s["api key"] = rotated.json()["api_key"]
        assert (await token(s["first api key"])).status_code == 401  # the old key
        s["wrong api key"] = "pk_" + secrets.token_urlsafe(32)
        assert (await token(s["wrong api key"])).status_code == 401
        s["token"] = (await token(s["api key"])).json()["access_token"]
        # A partner system sending its API key where the token belongs:
        misuse = await registry.get(f"/partners/{pid}", headers=auth.bearer(s["api key"]))
        assert misuse.status_code == 401
        mine = auth.bearer(s["token"])
        rotated_hook = await registry.post(
            f"/partners/{pid}/webhook-secret", headers=mine | {"X-Api-Key": s["api key"]}
        )
        assert rotated_hook.status_code == 200, rotated_hook.text
        s["webhook secret"] = rotated_hook.json()["webhook_secret"]
    headers = auth.bearer(s["token"])
    async with platform.client("commitments") as commitments:

        async def pledged() -> httpx.Response | None:
            answer = await commitments.post("/commitments", json=pledge_body(), headers=headers)
            return answer if answer.status_code == 201 else None

        commitment = (await wait_until(pledged, timeout=30)).json()
        forged = auth.bearer(auth.forged_token(auth.partner(pid)))
        assert (await commitments.get("/commitments", headers=forged)).status_code == 401
    if "monitoring" in platform.processes:
        today = datetime.now(UTC).date()
        async with platform.client("monitoring") as monitoring:
            report = {
                "partner_id": pid,
                "commitment_id": commitment["commitment_id"],
                "period": f"{today.year}-Q{(today.month - 1) // 3 + 1}",
                "people_trained": pledge_body()["target_value"],  # TargetAchieved
            }

            async def taken() -> httpx.Response | None:
                # once monitoring knows the partner, and knows it approved: the registry's
                # events reach it moments apart, and under load the approval comes later
                answer = await monitoring.post("/progress", json=report, headers=headers)
                not_yet = answer.status_code == 403 and (
                    "unknown_partner" in answer.text or "is pending" in answer.text
                )
                return None if not_yet else answer

            sent = await wait_until(taken, timeout=30)
            assert sent.status_code == 202, sent.text
        # monitoring signs the alert's deliveries: the partner's (its webhook does not
        # resolve here) and the secretariat's, which arrives
        await wait_until(lambda: platform.receiver.delivered, timeout=30)
    return {"partner_id": pid, "commitment_id": commitment["commitment_id"]}


async def send_canary(platform: Platform) -> str:
    """A partner event of an unknown type, the canary: the consumers dead-letter it, logging
    why (the unknown type named) and keeping its bytes, base64, on their dead-letter topics."""
    canary = "canary_" + secrets.token_urlsafe(24)
    message = json.dumps({"event_type": canary, "partner_id": "p-canary"}).encode()
    async with Producer() as producer:
        await producer.send(f"{platform.namespace}{PARTNER_EVENTS.name}", message, b"canary")
    return canary


async def namespaced_topics(namespace: str) -> dict[str, list[Any]]:
    """Every record of every topic of the namespace, whichever service wrote it."""
    consumer = AIOKafkaConsumer(bootstrap_servers=BOOTSTRAP, metadata_max_age_ms=500)
    await consumer.start()
    try:
        counts: dict[str, int] = {}
        for topic in sorted(t for t in await consumer.topics() if t.startswith(namespace)):
            parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
            ends, starts = (
                await consumer.end_offsets(parts),
                await consumer.beginning_offsets(parts),
            )
            counts[topic] = sum(ends[p] - starts[p] for p in parts)
    finally:
        await consumer.stop()
    read = await asyncio.gather(*(read_topic(t, n) for t, n in counts.items()))
    return dict(zip(counts, read, strict=True))


def record_bytes(record: Any) -> bytes:
    headers = b" ".join(k.encode() + b"=" + (v or b"") for k, v in record.headers or ())
    return b"\n".join([record.key or b"", record.value or b"", headers])


async def everything_stored(platform: Platform) -> dict[str, list[dict[str, Any]]]:
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO_URL, tz_aware=True)
    try:
        stored: dict[str, list[dict[str, Any]]] = {}
        for process in platform.processes.values():
            db = mongo[process.database]
            for name in await db.list_collection_names():
                stored[f"{process.name}.{name}"] = await db[name].find().to_list()
        return stored
    finally:
        await mongo.close()


async def outboxes_drained(platform: Platform) -> bool:
    stored = await everything_stored(platform)
    return not any(
        doc.get("published_at") is None
        for name, docs in stored.items()
        if name.endswith(".outbox")
        for doc in docs
    )


def scan(sources: dict[str, bytes], named: dict[str, str]) -> dict[str, list[str]]:
    """Where each secret was found, by source."""
    return {name: found for name, blob in sources.items() if (found := leaks(blob, named))}


async def test_no_secret_in_any_log_topic_or_database(platform: Platform) -> None:
    partner = await drive(platform)
    canary = await send_canary(platform)
    await wait_until(lambda: outboxes_drained(platform), timeout=30)
    dead_letters = await wait_until(lambda: _dead_lettered(platform.namespace), timeout=30)
    logs_of = platform.processes.values()
    await wait_until(lambda: any(canary in p.log() for p in logs_of), timeout=30)
    for process in platform.processes.values():
        process.stop()  # flush and close every log

    logs = {f"log of {p.name}": p.log().encode() for p in platform.processes.values()}
    topics = {
        f"topic {topic.removeprefix(platform.namespace)}": b"\n".join(map(record_bytes, records))
        for topic, records in (await namespaced_topics(platform.namespace)).items()
    }
    stored = await everything_stored(platform)
    documents = {
        f"collection {name}": json.dumps(docs, default=str).encode()
        for name, docs in stored.items()
    }
    sources = logs | topics | documents
    assert all(logs.values()), "a service wrote no log at all"
    assert len(topics) >= 4, sorted(topics)

    # The scanner sees what flows through: the canary is found where a leak would be.
    with_canary = scan(sources, {"canary": canary})
    assert any(name.startswith("log of") for name in with_canary), with_canary
    assert any("dead-letter" in name for name in with_canary), (with_canary, dead_letters)

    assert scan(sources, platform.secrets) == {}

    # The registry keeps the hash of the current key and nothing else of any key.
    [doc] = [d for d in stored["registry.partners"] if d["_id"] == partner["partner_id"]]
    assert doc["api_key_hash"] == hashlib.sha256(platform.secrets["api key"].encode()).hexdigest()
    assert [k for k in doc if "api_key" in k] == ["api_key_hash"]
    first_hash = hashlib.sha256(platform.secrets["first api key"].encode()).hexdigest()
    assert first_hash not in json.dumps(stored, default=str)


async def _dead_lettered(namespace: str) -> list[str]:
    topics = await namespaced_topics(namespace)
    return [t for t, records in topics.items() if "dead-letter" in t and records]
