"""Alerts by email, end to end (issue 16): the development mail sink (scripts/mail_sink.py),
the registry and monitoring run as processes on the real mongod and broker. People are made
through the registry's API (a partner's coordinator, a colleague who turned every email off,
an officer of the secretariat, another partner's coordinator) and reach monitoring as
PersonUpdated events. A partner's commitments fire several alerts at once: each person
concerned gets them grouped into one message (the secretariat's per partnership), each alert
once; the person who turned email off and the other partner get nothing, and the at-risk
alerts, inhibited by reporting overdue on the same commitment, are recorded and never mailed.
Then monitoring is killed while more alerts wait in its mail queue, started again, and still
mails each once. A silence holds a commitment's emails; expired, the still-firing ones are
mailed then. Counts by recipient and by alert are printed before anything is asserted."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from pymongo import AsyncMongoClient

from pact_contracts import COMMITMENT_EVENTS, CommitmentPledged, CommitmentSnapshot
from tests.conftest import MONGO_URL
from tests.integration.registry.people import invited, organisation, signed_in
from tests.support.examples import COMMITMENT
from tests.support.kafka import Producer, wait_until
from tests.support.registry import secretariat
from tests.support.stack import OUTPUT, ROOT, ServiceProcess, free_port

pytestmark = pytest.mark.integration

PORTAL = "http://portal.test"
LINK = re.compile(re.escape(PORTAL) + r"/alerts/(\S+)")


@dataclass
class Stack:
    namespace: str
    registry: ServiceProcess
    monitoring: ServiceProcess
    sink: str


@pytest.fixture
async def stack(infrastructure: None, tmp_path: Path) -> AsyncIterator[Stack]:
    namespace = f"t{uuid.uuid4().hex[:10]}."
    smtp, http = free_port(), free_port()
    OUTPUT.mkdir(exist_ok=True)
    with (OUTPUT / f"{namespace.rstrip('.')}-mail.log").open("ab") as log:
        sink = subprocess.Popen(  # noqa: ASYNC220 - started once, before anything runs
            [sys.executable, "scripts/mail_sink.py", "--smtp-port", str(smtp), "--http-port",
             str(http), "--dir", str(tmp_path / "mail")],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    registry = ServiceProcess("registry", namespace)
    monitoring = ServiceProcess(
        "monitoring",
        namespace,
        {
            "MONITORING_SMTP_HOST": "127.0.0.1",
            "MONITORING_SMTP_PORT": str(smtp),
            "MONITORING_PORTAL_URL": PORTAL,
            # a group waits long enough that a burst, however slowly a loaded machine takes it,
            # lands in one group; `settled` waits longer than a group
            "MONITORING_EMAIL_GROUP_WAIT_SECONDS": "5",
            "MONITORING_EMAIL_POLL_SECONDS": "0.2",
            "MONITORING_DELIVERY_LEASE_SECONDS": "3",
            "MONITORING_LOG_LEVEL": "WARNING",
        },
    )
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO_URL, tz_aware=True)
    try:
        await asyncio.gather(registry.start(), monitoring.start())
        yield Stack(namespace, registry, monitoring, f"http://127.0.0.1:{http}")
    finally:
        registry.stop()
        monitoring.stop()
        sink.terminate()
        sink.wait(timeout=10)
        for process in (registry, monitoring):
            await mongo.drop_database(process.database)
        await mongo.close()


def at_risk(commitment_id: str, partner_id: str) -> CommitmentPledged:
    """Halfway through its window with nothing reported: at risk and overdue at once."""
    today = datetime.now(UTC).date()
    snapshot = CommitmentSnapshot.model_validate(
        COMMITMENT.model_dump()
        | {
            "partner_id": partner_id,
            "start_date": today - timedelta(days=400),
            "deadline": today + timedelta(days=400),
            "milestones": [],
        }
    )
    return CommitmentPledged(commitment_id=commitment_id, commitment_version=1, commitment=snapshot)


async def mailbox(sink: str) -> list[dict[str, Any]]:
    """Every message in the sink, with its text."""
    async with httpx.AsyncClient(base_url=sink, timeout=10) as client:
        listing = (await client.get("/api/v1/messages", params={"limit": 1000})).json()
        return [
            (await client.get(f"/api/v1/message/{m['ID']}")).json() for m in listing["messages"]
        ]


Messages = list[dict[str, Any]]


async def settled(
    sink: str,
    quiet: float = 7.0,
    until: Callable[[Messages], bool] = lambda messages: True,
    within: float = 60.0,
) -> Messages:
    """The sink's messages once what the test waits for has come (`until`; or `within`
    seconds have passed, and its assertions say what is missing) and no new one came for
    `quiet` seconds (any extra would have)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    seen, since = -1, loop.time()
    while True:
        messages = await mailbox(sink)
        now = loop.time()
        if len(messages) != seen:
            seen, since = len(messages), now
        elif now - since >= quiet and (until(messages) or now >= deadline):
            return messages
        await asyncio.sleep(0.5)


def listed(messages: Messages, to: str) -> set[str]:
    """The alerts listed in the messages to `to`."""
    return {fingerprint for (person, fingerprint) in counts(messages)[1] if person == to}


def counts(messages: list[dict[str, Any]]) -> tuple[Counter[str], Counter[tuple[str, str]]]:
    """Messages by recipient, and (recipient, alert) by how often an alert was listed."""
    by_recipient: Counter[str] = Counter()
    by_alert: Counter[tuple[str, str]] = Counter()
    for m in messages:
        to = m["To"][0]["Address"]
        by_recipient[to] += 1
        for fingerprint in LINK.findall(m["Text"]):
            by_alert[(to, unquote(fingerprint))] += 1
    return by_recipient, by_alert


async def mailed(db: Any, pid: str, commitments: int) -> set[str]:
    """The partner's alerts that are mailed: at risk is inhibited by reporting overdue on the
    same commitment (recorded, never delivered), so each commitment's overdue alert."""
    alerts = {d["_id"]: d["rule"] async for d in db["alerts"].find({"partner_id": pid})}
    assert len(alerts) == 2 * commitments, alerts
    return {f for f, rule in alerts.items() if rule == "ReportingOverdue"}


async def test_alerts_arrive_grouped_once_each_and_a_restart_sends_no_duplicates(
    stack: Stack,
) -> None:
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO_URL, tz_aware=True)
    db = mongo[stack.monitoring.database]
    async with httpx.AsyncClient(base_url=stack.registry.url, timeout=10) as registry:
        partner, coco = await organisation(registry, f"Mailed Org {uuid.uuid4().hex[:6]}")
        pid = partner["partner_id"]
        quiet = await invited(registry, coco.headers, f"quiet@{pid}.example", "viewer")
        off = {"critical": "off", "warning": "off", "info": "off"}
        answer = await registry.put("/users/me/notifications", headers=quiet.headers, json=off)
        assert answer.status_code == 200 and answer.json() == off, answer.text
        assert (await registry.get("/users/me/notifications", headers=quiet.headers)).json() == off
        admin = await secretariat(registry)
        officer = await invited(registry, admin, f"officer-{pid}@secretariat.example", "officer")
        _, other = await organisation(registry, f"Unmailed Org {uuid.uuid4().hex[:6]}")
        coco_me = await signed_in(registry, coco.email)
    people = [coco_me, quiet, officer, other]

    async def everyone_known() -> bool:
        ids = [p.user_id for p in people]
        known = await db["recipients"].count_documents({"_id": {"$in": ids}})
        quiet_doc = await db["recipients"].find_one({"_id": quiet.user_id}) or {}
        return known == len(ids) and quiet_doc.get("notifications") == off

    await wait_until(everyone_known, timeout=60)

    async def alerts_firing(n: int) -> bool:
        return await db["alerts"].count_documents({"partner_id": pid, "status": "firing"}) >= n

    topic = f"{stack.namespace}{COMMITMENT_EVENTS.name}"
    async with Producer() as producer:
        for i in range(3):  # one batch: three commitments, two alerts each
            event = at_risk(f"c-mail-{i}-{pid}", pid)
            await producer.send(topic, event.to_bytes(), event.commitment_id.encode())
    await wait_until(lambda: alerts_firing(6), timeout=60)
    mailed_to = (coco.email, officer.email)
    first = await settled(stack.sink, until=lambda ms: all(listed(ms, p) for p in mailed_to))
    by_recipient, by_alert = counts(first)
    print("\nfirst batch: messages by recipient", dict(by_recipient))
    print("first batch: alert listings by (recipient, alert)", dict(by_alert))
    print("subjects:", sorted(m["Subject"] for m in first))

    fingerprints = await mailed(db, pid, 3)
    assert by_recipient == {coco.email: 1, officer.email: 1}, by_recipient
    for person in (coco.email, officer.email):
        assert {f for (to, f) in by_alert if to == person} == fingerprints
    assert set(by_alert.values()) == {1}
    message = next(m for m in first if m["To"][0]["Address"] == coco.email)
    assert "3 alerts" in message["Subject"] and f"{PORTAL}/alerts/" in message["HTML"]

    # more alerts wait in the mail queue (the group wait has not passed): kill monitoring
    async with Producer() as producer:
        for i in range(3, 5):
            event = at_risk(f"c-mail-{i}-{pid}", pid)
            await producer.send(topic, event.to_bytes(), event.commitment_id.encode())

    async def queued() -> bool:
        return await db["mail_items"].count_documents({"note.partner_id": pid}) >= 2 * 10

    await wait_until(queued, timeout=60, interval=0.05)
    stack.monitoring.kill()
    waiting = await db["mail_items"].count_documents({"state": "pending"})
    await stack.monitoring.start()
    second = await settled(
        stack.sink, quiet=9.0, until=lambda ms: all(len(listed(ms, p)) >= 5 for p in mailed_to)
    )  # the restarted service mails the rest after its group wait
    by_recipient, by_alert = counts(second)
    print("after the restart (waiting when killed:", waiting, "): messages by recipient",
          dict(by_recipient))  # fmt: skip
    print("after the restart: alert listings by (recipient, alert)", dict(by_alert))
    fingerprints = await mailed(db, pid, 5)
    await mongo.close()
    for person in (coco.email, officer.email):
        assert {f for (to, f) in by_alert if to == person} == fingerprints
    assert set(by_alert.values()) == {1}, "an alert was mailed twice to someone"
    assert set(by_recipient) == {coco.email, officer.email}
    assert all(n <= 3 for n in by_recipient.values()), "alerts of one batch are grouped"


async def test_a_silence_holds_emails_and_its_end_releases_the_still_firing(
    stack: Stack,
) -> None:
    """Silences apply to email as to webhooks: a silenced commitment's alerts are not mailed
    while the silence lasts; expired by hand, the still-firing ones are mailed then, once."""
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO_URL, tz_aware=True)
    db = mongo[stack.monitoring.database]
    async with httpx.AsyncClient(base_url=stack.registry.url, timeout=10) as registry:
        partner, coco = await organisation(registry, f"Silenced Org {uuid.uuid4().hex[:6]}")
    pid = partner["partner_id"]
    loud, hushed = f"c-loud-{pid}", f"c-hushed-{pid}"

    async def known() -> bool:
        return await db["recipients"].count_documents({"_id": coco.user_id}) == 1

    await wait_until(known, timeout=60)
    async with httpx.AsyncClient(base_url=stack.monitoring.url, timeout=10) as monitoring:
        ends = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        body = {"matchers": {"commitment_id": hushed}, "ends_at": ends, "comment": "a test"}
        made = await monitoring.post("/silences", headers=coco.headers, json=body)
        assert made.status_code == 201, made.text
        topic = f"{stack.namespace}{COMMITMENT_EVENTS.name}"
        async with Producer() as producer:
            for cid in (loud, hushed):
                event = at_risk(cid, pid)
                await producer.send(topic, event.to_bytes(), event.commitment_id.encode())

        async def held() -> bool:
            return await db["mail_items"].count_documents({"state": "held"}) >= 3

        await wait_until(held, timeout=60)
        loud_mailed = await settled(stack.sink, until=lambda ms: bool(listed(ms, coco.email)))
        during = [m for m in loud_mailed if m["To"][0]["Address"] == coco.email]
        silence_id = made.json()["silence_id"]
        expired = await monitoring.post(f"/silences/{silence_id}/expire", headers=coco.headers)
        assert expired.status_code == 200, expired.text
    released = await settled(stack.sink, until=lambda ms: len(listed(ms, coco.email)) >= 2)
    after = [m for m in released if m["To"][0]["Address"] == coco.email]
    await mongo.close()
    _, during_alerts = counts(during)
    _, after_alerts = counts(after)
    print("\nwhile silenced:", [m["Subject"] for m in during], dict(during_alerts))
    print("after it ended:", [m["Subject"] for m in after], dict(after_alerts))
    assert {f.split(":")[2] for _, f in during_alerts} == {loud}
    assert {f.split(":")[2] for _, f in after_alerts} == {loud, hushed}
    assert set(after_alerts.values()) == {1} and len(after_alerts) == 2
