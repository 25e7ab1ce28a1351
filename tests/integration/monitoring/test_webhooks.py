"""The alert board: alerts stored from monitoring.alerts.v1 by a consumer group of their own,
queried and acknowledged over HTTP, and delivered to the partner's and the secretariat's
webhooks (a real HTTP server here) signed per Standard Webhooks with each receiver's own secret,
retried on the service's clock, once each per (alert, transition, receiver), also across a
restart of the delivery worker."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from pact_common.dev_keys import DEV_WEBHOOK_KEY
from pact_common.webhook_secrets import new_secret, partner_secret
from pact_contracts.alerts import ALERT_EVENTS
from tests.support.kafka import wait_until

from .conftest import Monitoring, report
from .webhook_receiver import Receiver, serving

pytestmark = pytest.mark.integration
SECRETARIAT_SECRET = new_secret()
ACME_SECRET = partner_secret(DEV_WEBHOOK_KEY, "p-acme", 2)
AT_RISK = "CommitmentAtRisk:commitment:c-cloud"
OVERDUE = "ReportingOverdue:commitment:c-cloud"


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with serving(Receiver(fail_first=2)) as r:
        yield r


@pytest.fixture
def overrides(receiver: Receiver) -> dict[str, Any]:
    return {
        "secretariat_webhook_url": f"{receiver.url}/secretariat",
        "secretariat_webhook_secret": SECRETARIAT_SECRET,
        "webhook_retry_base_seconds": 60,
        "delivery_poll_seconds": 0.05,
    }


def alerting(m: Monitoring) -> Any:
    return m.http._transport.app.state.alerting  # type: ignore[attr-defined]


async def deliveries(m: Monitoring, **query: Any) -> dict[str, Any]:
    answer = await m.http.get("/alerts/deliveries", params=query, headers=m.token(None))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def attempted(m: Monitoring, attempts: int, status: str, count: int = 4) -> None:
    """Wait until `count` deliveries have made `attempts` attempts and are `status`."""
    query = {"attempts": attempts, "status": status}

    async def done() -> bool:
        return await m.db["alert_deliveries"].count_documents(query) == count

    await wait_until(done)


async def test_alerts_are_delivered_signed_once_each_with_retries_across_a_restart(
    monitoring: Monitoring, receiver: Receiver
) -> None:
    m, clock = monitoring, monitoring.clock
    await m.partner(webhook_url=f"{receiver.url}/acme", webhook_secret_version=2)
    await m.partner("p-other", webhook_url=None)
    # Partners and commitments arrive on different topics: the alerts' first attempts must
    # find p-acme's webhook, not "not known yet" (a retry later would, but not as attempt 1).
    await m.wait_for_partner()
    await m.wait_for_partner("p-other")
    await m.commitment()  # mid-May 2026, nothing reported: at risk and overdue
    # Two alerts, each to two receivers; every first attempt is refused.
    await attempted(m, 1, "failed")
    failed = await deliveries(m, status="failed")
    assert failed["total"] == 4
    first = failed["items"][0]
    print("\nfailed deliveries:", [(d["receiver"], d["last_status_code"], d["last_error"])
                                   for d in failed["items"]])  # fmt: skip
    assert (first["attempts"], first["last_status_code"], first["gave_up"]) == (1, 503, False)
    assert first["last_error"] == "HTTP 503"  # the status; never what the receiver said
    assert datetime.fromisoformat(first["next_attempt_at"]) == clock.now + timedelta(seconds=60)
    mine = await m.http.get("/alerts/deliveries", headers=m.token("p-acme"))
    assert {d["receiver"] for d in mine.json()["items"]} == {"partner:p-acme"}
    theirs = await m.http.get(
        "/alerts/deliveries", params={"receiver": "secretariat"}, headers=m.token()
    )
    assert theirs.status_code == 403
    clock.advance(seconds=59)
    assert not await alerting(m).worker.run_once()  # nothing due yet
    clock.advance(seconds=1)  # 60 s after the first attempt: the second, refused again
    await attempted(m, 2, "failed")

    # The delivery worker stops and another starts: all it needs is in the outbox.
    before = alerting(m).worker
    assert (await alerting(m).restart_worker()) is not before
    clock.advance(seconds=120)  # then 120 s: the third attempt is taken
    await attempted(m, 3, "delivered")
    await check_the_board(m)
    for period in ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"):
        await m.send(report(period, 1590))  # on time, on pace (5% short at most): both resolve
    await attempted(m, 1, "failed")
    clock.advance(seconds=60)
    await attempted(m, 2, "failed")
    clock.advance(seconds=120)
    await attempted(m, 3, "delivered", count=8)
    # The same reports again (redelivered, replayed) and the clock-driven rules once more:
    # nothing is decided twice, so nothing is delivered twice.
    for period in ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"):
        await m.send(report(period, 1590))
    await m.sweep()
    await m.barrier()
    assert not await alerting(m).worker.run_once()
    assert await m.db["alert_deliveries"].count_documents({}) == 8
    resolved = await m.http.post(
        f"/alerts/{OVERDUE}/acknowledge", json={"note": "late"}, headers=m.token()
    )
    assert (resolved.status_code, resolved.json()["error"]["code"]) == (409, "alert_not_firing")

    got = Counter(
        (r.event["fingerprint"], r.event["episode"], r.event["event_type"], r.path)
        for r in receiver.delivered
    )
    assert got == {
        (fp, 1, kind, path): 1
        for fp in (AT_RISK, OVERDUE)
        for kind in ("AlertFired", "AlertResolved")
        for path in ("/acme", "/secretariat")
    }
    assert len(receiver.requests) == 24  # 8 deliveries, 3 attempts each
    assert set(receiver.attempts.values()) == {3}  # one webhook-id per delivery
    for r in receiver.requests:
        own, other = (
            (ACME_SECRET, SECRETARIAT_SECRET)
            if r.path == "/acme"
            else (SECRETARIAT_SECRET, ACME_SECRET)
        )
        assert Webhook(own).verify(r.body, r.headers) == r.event
        with pytest.raises(WebhookVerificationError):
            Webhook(other).verify(r.body, r.headers)
        assert r.headers["x-pact-event"] == r.event["event_type"]
        assert r.headers["content-type"] == "application/json"
        ALERT_EVENTS.validate_json(r.body)  # the contract event, as published


async def check_the_board(m: Monitoring) -> None:
    """GET /alerts (filters, pages, partner scope) and acknowledging one."""
    secretariat, acme, other = m.token(None), m.token("p-acme"), m.token("p-other")

    async def page(headers: dict[str, str], **query: Any) -> dict[str, Any]:
        answer = await m.http.get("/alerts", params=query, headers=headers)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    firing = await page(secretariat, status="firing")
    assert firing["total"] == 2
    assert {a["fingerprint"] for a in firing["items"]} == {AT_RISK, OVERDUE}
    overdue = next(a for a in firing["items"] if a["rule"] == "ReportingOverdue")
    assert {k: overdue[k] for k in ("severity", "partner_id", "subject_id", "expected")} == {
        "severity": "warning",
        "partner_id": "p-acme",
        "subject_id": "c-cloud",
        "expected": 5,
    }
    assert (await page(acme, status="firing", partner="p-acme"))["total"] == 2
    assert (await page(other, status="firing"))["total"] == 0
    forbidden = await m.http.get("/alerts", params={"partner": "p-acme"}, headers=other)
    assert forbidden.status_code == 403
    assert (await page(secretariat, rule="ReportingOverdue"))["total"] == 1
    assert (await page(secretariat, severity="critical"))["total"] == 0
    assert (await page(secretariat, partnership="digital-ecosystem"))["total"] == 2
    second = await page(secretariat, limit=1, offset=1)
    assert (second["total"], len(second["items"])) == (2, 1)

    path = f"/alerts/{OVERDUE}/acknowledge"
    note = {"note": "The Q1 export failed; figures follow this week."}
    assert (await m.http.post(path, json=note, headers=other)).status_code == 403
    assert (await m.http.post(path, json={"note": ""}, headers=acme)).status_code == 422
    missing = await m.http.post("/alerts/nothing/acknowledge", json=note, headers=acme)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "alert_not_found")
    done = await m.http.post(path, json=note, headers=acme)
    assert done.status_code == 200, done.text
    ack = done.json()["acknowledgement"]
    assert (ack["by"], ack["note"], ack["episode"]) == ("p-acme", note["note"], 1)
    acknowledged = await page(secretariat, acknowledged="true")
    assert [a["fingerprint"] for a in acknowledged["items"]] == [OVERDUE]
    one = await m.http.get(f"/alerts/{OVERDUE}", headers=acme)
    assert [d["receiver"] for d in one.json()["deliveries"]] == ["partner:p-acme"]
    assert (await m.http.get(f"/alerts/{OVERDUE}", headers=other)).status_code == 403
