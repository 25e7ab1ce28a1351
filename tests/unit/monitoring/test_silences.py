"""Silences and inhibition: which alerts are muted, and what happens to their deliveries
(held, then sent if still worth it, or left unsent)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from monitoring.core.domain.errors import SilenceExpired
from monitoring.notify.domain.delivery import (
    DeliveryStatus,
    Notice,
    Transition,
    deliveries_for,
)
from monitoring.notify.domain.silences import (
    DEFAULT_INHIBITION,
    AlertFacts,
    Firing,
    Matchers,
    Silence,
    SilenceState,
    Suppression,
    suppression,
)
from monitoring.notify.service_layer import muting
from monitoring.notify.service_layer.muting import HeldDeliveries
from monitoring.notify.service_layer.silencing import Muting

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
AT_RISK = AlertFacts.of_fingerprint("CommitmentAtRisk:commitment:c-1", "p-acme", "ps-1")
MISSED = Firing("TargetMissed:commitment:c-1", "TargetMissed", "commitment:c-1")


def silence(matchers: Matchers, hours: int = 1) -> Silence:
    return Silence("s-1", matchers, NOW, NOW + timedelta(hours=hours), "alice", "why", NOW)


def test_matchers_left_out_match_any_and_the_state_follows_the_clock() -> None:
    s = silence(Matchers(rule="CommitmentAtRisk", partner_id="p-acme"))
    assert s.silences(AT_RISK, NOW)
    assert not silence(Matchers(commitment_id="c-2")).silences(AT_RISK, NOW)
    assert s.state(NOW - timedelta(seconds=1)) is SilenceState.PENDING
    assert s.state(NOW + timedelta(hours=1)) is SilenceState.EXPIRED
    expired = s.expire("bob", NOW + timedelta(minutes=1))
    assert expired.state(NOW + timedelta(minutes=1)) is SilenceState.EXPIRED
    with pytest.raises(SilenceExpired):
        expired.expire("bob", NOW + timedelta(minutes=2))


def test_a_missed_target_inhibits_at_risk_on_the_same_commitment_only() -> None:
    why = suppression(AT_RISK, [], [MISSED], DEFAULT_INHIBITION, NOW)
    assert why.inhibited_by == (MISSED.fingerprint,) and why.state == "inhibited"
    other = replace(MISSED, subject_key="commitment:c-2")
    assert not suppression(AT_RISK, [], [other], DEFAULT_INHIBITION, NOW).muted
    assert not suppression(AT_RISK, [], [MISSED], {}, NOW).muted


class FakeMuting(Muting):
    def __init__(self) -> None:
        self.muted: Suppression = Suppression(silenced_by=("s-1",))

    async def check_many(self, alerts: Sequence[AlertFacts], now: datetime) -> list[Suppression]:
        return [self.muted for _ in alerts]


class FakeHeld(HeldDeliveries):
    def __init__(self) -> None:
        self.store: dict[str, muting.Delivery] = {}
        self.alert: tuple[str, int] | None = ("firing", 1)

    async def by_key(self, key: str) -> muting.Delivery | None:
        return self.store.get(key)

    async def held(self, limit: int) -> list[muting.Delivery]:
        return [d for d in self.store.values() if d.status in muting.MUTED and d.next_attempt_at]

    async def put(self, delivery: muting.Delivery) -> None:
        self.store[delivery.key] = delivery

    async def alert_state(self, fingerprint: str) -> tuple[str, int] | None:
        return self.alert


def delivery(transition: Transition) -> muting.Delivery:
    notice = Notice("e", "AlertFired", AT_RISK.fingerprint, 1, transition, "p-acme", "ps-1")
    (d,) = deliveries_for(notice, "{}", ["partner:p-acme"], NOW)
    return d


@pytest.mark.parametrize(("still", "sent"), [(("firing", 1), True), (("resolved", 1), False)])
async def test_a_held_firing_is_sent_when_the_silence_ends_only_if_still_firing(
    still: tuple[str, int], sent: bool
) -> None:
    mutes, queue = FakeMuting(), FakeHeld()
    fired = delivery(Transition.FIRED)
    held = await muting.hold(fired, mutes, queue, NOW)
    assert held is not None and held.status is DeliveryStatus.SILENCED
    await queue.put(held)
    assert await muting.release(queue, mutes, NOW) == 0  # still silenced
    mutes.muted, queue.alert = Suppression(), still
    assert await muting.release(queue, mutes, NOW) == int(sent)
    after = queue.store[fired.key]
    assert after.status is (DeliveryStatus.PENDING if sent else DeliveryStatus.SILENCED)
    assert after.next_attempt_at == (NOW if sent else None)
    resolved = delivery(Transition.RESOLVED)
    later = await muting.hold(resolved, mutes, queue, NOW)
    assert (later is None) is sent  # a resolve goes where its firing went
