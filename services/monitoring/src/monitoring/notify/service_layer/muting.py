"""Silences and inhibition applied to deliveries, on every channel: a delivery of a muted
alert is held rather than sent (`hold`, just before its attempt); the clock's sweep
(`release`) looks at the held ones again and, once nothing mutes their alert, sends those
still worth sending (a firing still firing; a resolve whose firing was sent) and leaves the
others unsent, saying why."""

from __future__ import annotations

import abc
from dataclasses import replace
from datetime import datetime

from monitoring.notify.domain.delivery import (
    Delivery,
    DeliveryStatus,
    Transition,
    delivery_key,
)
from monitoring.notify.domain.silences import AlertFacts, Suppression
from monitoring.notify.service_layer.silencing import Muting

MUTED = frozenset({DeliveryStatus.SILENCED, DeliveryStatus.INHIBITED})
#: alert statuses in which a held firing is still worth sending
STILL_FIRING = frozenset({"firing", "notified"})


class HeldDeliveries(abc.ABC):
    """The delivery queue as muting sees it."""

    @abc.abstractmethod
    async def by_key(self, key: str) -> Delivery | None: ...

    @abc.abstractmethod
    async def held(self, limit: int) -> list[Delivery]:
        """Muted deliveries still held (next_attempt_at set), at most `limit`; a queue with
        more pages through them over successive calls, so that none waits for ever."""

    @abc.abstractmethod
    async def put(self, delivery: Delivery) -> None:
        """Store a held delivery's new state (unless a worker holds a lease on it)."""

    @abc.abstractmethod
    async def alert_state(self, fingerprint: str) -> tuple[str, int] | None:
        """The alert's status and current episode."""


def facts_of(d: Delivery) -> AlertFacts:
    return AlertFacts.of_fingerprint(d.fingerprint, d.partner_id, d.partnership_id)


def held(d: Delivery, why: Suppression, now: datetime) -> Delivery:
    status = DeliveryStatus.SILENCED if why.silenced_by else DeliveryStatus.INHIBITED
    return replace(d, status=status, next_attempt_at=now, last_error=why.reason)


def unsent(d: Delivery, status: DeliveryStatus, reason: str) -> Delivery:
    return replace(d, status=status, next_attempt_at=None, last_error=f"not sent: {reason}")


async def _firing_muted(d: Delivery, queue: HeldDeliveries) -> Delivery | None:
    """A resolve's firing (same episode and receiver), if that was muted."""
    if d.transition is not Transition.RESOLVED:
        return None
    fired = await queue.by_key(delivery_key(d.fingerprint, d.episode, Transition.FIRED, d.receiver))
    return fired if fired is not None and fired.status in MUTED else None


async def hold(
    d: Delivery, muting: Muting, queue: HeldDeliveries, now: datetime
) -> Delivery | None:
    """The delivery held (or left unsent) instead of attempted; None: attempt it."""
    if (fired := await _firing_muted(d, queue)) is not None:
        if fired.next_attempt_at is None:
            return unsent(d, fired.status, "its firing was not sent")
        return replace(d, status=fired.status, next_attempt_at=now, last_error=fired.last_error)
    why = await muting.check(facts_of(d), now)
    return held(d, why, now) if why.muted else None


async def release(queue: HeldDeliveries, muting: Muting, now: datetime, limit: int = 500) -> int:
    """Look at the held deliveries again; returns how many were released to be sent."""
    waiting = await queue.held(limit)
    checks = await muting.check_many([facts_of(d) for d in waiting], now)
    released = 0
    for d, why in zip(waiting, checks, strict=True):
        if why.muted:
            if held(d, why, now).last_error != d.last_error:
                await queue.put(replace(held(d, why, now), next_attempt_at=d.next_attempt_at))
            continue
        if d.transition is Transition.FIRED:
            state = await queue.alert_state(d.fingerprint)
            send = state is not None and state[0] in STILL_FIRING and state[1] == d.episode
            reason = "the alert stopped firing while it was " + d.status.value
        else:
            fired = await _firing_muted(d, queue)
            if fired is not None and fired.next_attempt_at is not None:
                continue  # its firing is still held: it is looked at first
            send, reason = fired is None, "its firing was not sent"
        if send:
            await queue.put(
                replace(d, status=DeliveryStatus.PENDING, next_attempt_at=now, last_error=None)
            )
            released += 1
        else:
            await queue.put(unsent(d, d.status, reason))
    return released
