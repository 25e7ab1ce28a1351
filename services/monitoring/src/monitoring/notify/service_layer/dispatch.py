"""The delivery worker's dispatcher: no receiver can delay another's deliveries.

Each receiver has one slot: at most one attempt to it is in flight, and the others' attempts
start and end independently of it (each is stored as soon as it ends; nothing waits for a
batch). A receiver that did not answer (timed out, unreachable, refused) backs off as a
whole: its other deliveries are not tried until the retry policy's wait for its consecutive
failures has passed (they are not counted as attempts), so a hanging receiver costs one slot
now and then rather than one per delivery. Any answer, even a 5xx, ends the back-off: a quick
"no" holds nobody up, and that delivery waits its own retry. At most `policy.batch` attempts
are in flight in all.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from monitoring.notify.domain.delivery import Delivery
from monitoring.notify.service_layer.handlers import DeliveryPolicy, attempt
from monitoring.notify.service_layer.ports import (
    DeliveryQueue,
    ReceiverDirectory,
    Sent,
    WebhookSender,
)
from pact_common.background import cancelled
from pact_common.clock import Clock


@dataclass
class BackOff:
    failures: int
    until: datetime


@dataclass
class Dispatcher:
    queue: DeliveryQueue
    receivers: ReceiverDirectory
    sender: WebhookSender
    clock: Clock
    policy: DeliveryPolicy
    #: a muted alert's delivery held (or left unsent) instead (service_layer/muting.py)
    hold: Callable[[Delivery], Awaitable[Delivery | None]] | None = None
    #: receiver -> its attempt in flight
    running: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    #: receivers that did not answer, until when they are left alone
    backing_off: dict[str, BackOff] = field(default_factory=dict)
    #: outcomes of every attempt stored so far, by status
    outcomes: Counter[str] = field(default_factory=Counter)
    #: the last failure to look a receiver up or store an outcome (the worker logs it)
    error: Exception | None = None
    _claiming: asyncio.Lock = field(default_factory=asyncio.Lock)

    def busy(self, now: datetime) -> set[str]:
        waiting = {r for r, b in self.backing_off.items() if b.until > now}
        return set(self.running) | waiting

    async def dispatch(self) -> int:
        """Start an attempt for each free receiver with a delivery due, as slots allow.
        Returns how many started."""
        async with self._claiming:
            free = self.policy.batch - len(self.running)
            if free <= 0:
                return 0
            now = self.clock()
            claimed = await self.queue.claim_due(now, free, self.busy(now))
            for delivery in claimed:
                task = asyncio.create_task(self._attempt(delivery), name="webhook-attempt")
                self.running[delivery.receiver] = task
            return len(claimed)

    async def _attempt(self, delivery: Delivery) -> None:
        try:
            if self.hold is not None and (muted := await self.hold(delivery)) is not None:
                if await self.queue.finish(muted):
                    self.outcomes[muted.status.value] += 1
                return
            done, sent = await attempt(
                delivery, self.receivers, self.sender, self.clock, self.policy
            )
            self._note(delivery.receiver, sent)
            if await self.queue.finish(done):
                self.outcomes[done.status.value] += 1
        except Exception as exc:  # noqa: BLE001 - the store failed: the lease expires, it is retried
            self.outcomes["not stored"] += 1
            self.error = exc
        finally:
            self.running.pop(delivery.receiver, None)

    def _note(self, receiver: str, sent: Sent | None) -> None:
        if sent is None or sent.answered:
            self.backing_off.pop(receiver, None)
            return
        failures = self.backing_off[receiver].failures + 1 if receiver in self.backing_off else 1
        until = self.clock() + self.policy.retry.delay(failures)
        self.backing_off[receiver] = BackOff(failures, until)

    async def settle(self, timeout: float | None) -> None:
        """Wait until an attempt in flight ends (or all have, with timeout None), at most
        `timeout` seconds."""
        tasks = set(self.running.values())
        if not tasks:
            return
        when = asyncio.ALL_COMPLETED if timeout is None else asyncio.FIRST_COMPLETED
        await asyncio.wait(tasks, timeout=timeout, return_when=when)

    async def close(self) -> None:
        """Cancel the attempts in flight (their leases expire, or are released)."""
        await cancelled(list(self.running.values()))
        self.running.clear()
