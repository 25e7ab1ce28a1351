"""Alerts people can live with, on the real mongod and Tansu with a real webhook receiver:
a silence holds deliveries (the alert shown silenced, nothing received) and its end sends
those still firing; an inhibited alert is recorded and not delivered until its inhibitor
resolves; a figure crossing the at-risk line back and forth opens one episode; the board
shows each firing alert's current values next to its text at firing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from monitoring.notify.domain.silences import DEFAULT_INHIBITION
from tests.support.kafka import wait_until

from .conftest import Monitoring, report
from .webhook_receiver import Receiver, serving

pytestmark = pytest.mark.integration
AT_RISK = "CommitmentAtRisk:commitment:c-cloud"
OVERDUE = "ReportingOverdue:commitment:c-cloud"
EARLIER = ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4")


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with serving(Receiver(fail_first=0)) as r:
        yield r


@pytest.fixture
def overrides(receiver: Receiver, request: pytest.FixtureRequest) -> dict[str, Any]:
    """A test changes more with `parametrize("overrides", [{...}], indirect=True)`."""
    base = {"secretariat_webhook_url": f"{receiver.url}/secretariat", "delivery_poll_seconds": 0.05}
    more: dict[str, Any] = getattr(request, "param", {})
    return base | more


def received(r: Receiver, fingerprint: str, event_type: str = "AlertFired") -> int:
    return sum(
        1
        for d in r.delivered
        if d.event["fingerprint"] == fingerprint and d.event["event_type"] == event_type
    )


async def statuses(m: Monitoring, fingerprint: str) -> list[str]:
    docs = await m.db["alert_deliveries"].find({"fingerprint": fingerprint}).to_list()
    return sorted(f"{d['transition']}:{d['status']}" for d in docs)


def statuses_are(m: Monitoring, fingerprint: str, expected: list[str]) -> Any:
    async def check() -> bool:
        return await statuses(m, fingerprint) == expected

    return check


async def alert(m: Monitoring, fingerprint: str, partner: str | None = "p-acme") -> Any:
    answer = await m.http.get(f"/alerts/{fingerprint}", headers=m.token(partner))
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_a_silence_holds_deliveries_and_its_end_sends_those_still_firing(
    monitoring: Monitoring, receiver: Receiver
) -> None:
    m = monitoring
    await m.partner(webhook_url=f"{receiver.url}/acme")
    await m.wait_for_partner()
    body = {"matchers": {"rule": "ReportingOverdue", "partner_id": "p-other"},
            "ends_at": "2026-05-16T09:00:00Z", "comment": "the export is being fixed"}  # fmt: skip
    made = await m.http.post("/silences", json=body, headers=m.token())
    assert made.status_code == 201, made.text
    silence = made.json()
    # a partner's silence is for its own alerts, whatever it asked
    assert (silence["matchers"]["partner_id"], silence["state"]) == ("p-acme", "active")
    assert silence["author"] == "p-acme"
    listed = await m.http.get("/silences", params={"state": "active"}, headers=m.token())
    assert [s["silence_id"] for s in listed.json()["items"]] == [silence["silence_id"]]
    theirs = await m.http.get("/silences", headers=m.token(None))  # the secretariat sees all
    assert [s["silence_id"] for s in theirs.json()["items"]] == [silence["silence_id"]]

    await m.commitment()  # mid-May 2026, nothing reported: at risk and overdue
    await wait_until(lambda: received(receiver, AT_RISK) == 2)  # the partner, the secretariat
    await wait_until(statuses_are(m, OVERDUE, ["fired:silenced", "fired:silenced"]), timeout=10)
    shown = await alert(m, OVERDUE)
    assert (shown["status"], shown["muted"], shown["silenced_by"]) == (
        "firing",
        "silenced",
        [silence["silence_id"]],
    )
    assert {d["status"] for d in shown["deliveries"]} == {"silenced"}
    assert received(receiver, OVERDUE) == 0

    ended = await m.http.post(f"/silences/{silence['silence_id']}/expire", headers=m.token())
    assert (ended.status_code, ended.json()["state"]) == (200, "expired")
    again = await m.http.post(f"/silences/{silence['silence_id']}/expire", headers=m.token())
    assert (again.status_code, again.json()["error"]["code"]) == (409, "silence_expired")
    await wait_until(lambda: received(receiver, OVERDUE) == 2)  # still firing: sent now
    assert (await alert(m, OVERDUE))["muted"] is None
    assert received(receiver, AT_RISK) == 2  # nothing sent twice


async def test_a_firing_resolved_under_a_silence_is_never_sent(
    monitoring: Monitoring, receiver: Receiver
) -> None:
    m = monitoring
    await m.partner(webhook_url=f"{receiver.url}/acme")
    await m.wait_for_partner()
    body = {"matchers": {"commitment_id": "c-cloud"}, "ends_at": "2026-06-15T09:00:00Z",
            "comment": "new reporting system"}  # fmt: skip
    made = await m.http.post("/silences", json=body, headers=m.token(None))
    assert made.status_code == 201, made.text
    await m.commitment()
    await wait_until(statuses_are(m, OVERDUE, ["fired:silenced", "fired:silenced"]))
    for period in (*EARLIER, "2026-Q1"):  # on time: overdue resolves while silenced
        await m.send(report(period, 1590))
    await wait_until(statuses_are(m, OVERDUE, ["fired:silenced"] * 2 + ["resolved:silenced"] * 2))
    await m.http.post(f"/silences/{made.json()['silence_id']}/expire", headers=m.token(None))

    async def settled() -> bool:
        docs = await m.db["alert_deliveries"].find({"fingerprint": OVERDUE}).to_list()
        return all(d["next_attempt_at"] is None for d in docs)

    await wait_until(settled)
    assert received(receiver, OVERDUE) == received(receiver, OVERDUE, "AlertResolved") == 0
    docs = await m.db["alert_deliveries"].find({"fingerprint": OVERDUE}).to_list()
    assert {d["last_error"] for d in docs} == {
        "not sent: the alert stopped firing while it was silenced",
        "not sent: its firing was not sent",
    }


@pytest.mark.parametrize("overrides", [{"inhibition": dict(DEFAULT_INHIBITION)}], indirect=True)
async def test_an_inhibited_alert_is_recorded_and_sent_only_once_its_inhibitor_resolves(
    monitoring: Monitoring, receiver: Receiver
) -> None:
    m = monitoring
    await m.partner(webhook_url=f"{receiver.url}/acme")
    await m.wait_for_partner()
    await m.commitment()  # at risk and overdue: an overdue report makes "at risk" noise
    await wait_until(lambda: received(receiver, OVERDUE) == 2)
    await wait_until(statuses_are(m, AT_RISK, ["fired:inhibited", "fired:inhibited"]))
    shown = await alert(m, AT_RISK, None)
    assert (shown["status"], shown["muted"], shown["inhibited_by"]) == (
        "firing",
        "inhibited",
        [OVERDUE],
    )
    assert received(receiver, AT_RISK) == 0
    for period in (*EARLIER, "2026-Q1"):  # overdue resolves; 7% short: still at risk
        await m.send(report(period, 915))
    await wait_until(lambda: received(receiver, OVERDUE, "AlertResolved") == 2)
    await wait_until(lambda: received(receiver, AT_RISK) == 2)  # released: still firing
    assert (await alert(m, AT_RISK, None))["muted"] is None


@pytest.mark.parametrize("overrides", [{"min_firing_seconds": 300}], indirect=True)
async def test_crossing_the_at_risk_line_ten_times_is_one_episode_and_the_board_is_live(
    monitoring: Monitoring,
) -> None:
    m = monitoring
    await m.partner()
    await m.wait_for_partner()
    await m.commitment()
    await m.alerts(2)  # at risk and overdue fire
    first = await alert(m, AT_RISK)
    assert first["message"].startswith(
        "Forecast for 2027-12-31 at the recent pace against the plan: 0 to 0 people trained"
    )
    for period in EARLIER:
        await m.send(report(period, 700))
    revision = 1
    for _ in range(10):  # 32% short, then within reach (under both lines), ten times
        for q1 in (300, 1100):
            m.clock.advance(seconds=10)
            await m.send(report("2026-Q1", q1, revision=revision))
            revision += 1
            await m.barrier()
    live = await alert(m, AT_RISK)
    assert (live["status"], live["episode"]) == ("firing", 1)  # held: not yet 300 s firing
    assert live["text_at_firing"] == first["message"]
    assert live["current"]["actual"] == 3900 and live["current"]["holds"] is False
    assert "3,900" in live["current_text"] and "3,900" not in live["text_at_firing"]
    m.clock.advance(seconds=300)
    await m.sweep()
    events = await m.alerts(4, settle=1.5)
    mine = [(e["event_type"], e["episode"]) for e in events if e["fingerprint"] == AT_RISK]
    assert mine == [("AlertFired", 1), ("AlertResolved", 1)]
