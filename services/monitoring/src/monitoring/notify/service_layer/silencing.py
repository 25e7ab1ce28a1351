"""Silences as people make them: create one (a partner's people for their own organisation's
alerts only), expire one. Its ports: the silence store and what mutes an alert now."""

from __future__ import annotations

import abc
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from monitoring.core.domain.errors import SilenceNotFound
from monitoring.notify.domain.silences import (
    AlertFacts,
    Matchers,
    Silence,
    SilenceState,
    Suppression,
)
from pact_common.clock import Clock
from pact_common.errors import DomainError


class SilenceStore(abc.ABC):
    @abc.abstractmethod
    async def add(self, silence: Silence) -> None: ...

    @abc.abstractmethod
    async def get(self, silence_id: str) -> Silence | None: ...

    @abc.abstractmethod
    async def save(self, silence: Silence) -> None: ...

    @abc.abstractmethod
    async def listed(
        self, state: SilenceState | None, partner_id: str | None, now: datetime
    ) -> list[Silence]:
        """Newest first; `partner_id`: those whose partner matcher is that partner."""

    @abc.abstractmethod
    async def active(self, now: datetime) -> list[Silence]: ...


class Muting(abc.ABC):
    """What mutes alerts now: the active silences and the inhibition table over the alerts
    firing now."""

    @abc.abstractmethod
    async def check_many(self, alerts: Sequence[AlertFacts], now: datetime) -> list[Suppression]:
        """One suppression per alert, in order."""

    async def check(self, alert: AlertFacts, now: datetime) -> Suppression:
        return (await self.check_many([alert], now))[0]


@dataclass(frozen=True)
class CreateSilence:
    matchers: Matchers
    ends_at: datetime
    comment: str
    author: str
    starts_at: datetime | None = None
    #: a partner's people silence their own organisation's alerts; None: the secretariat
    as_partner: str | None = None


async def create_silence(cmd: CreateSilence, store: SilenceStore, clock: Clock) -> Silence:
    now = clock()
    matchers = cmd.matchers
    if cmd.as_partner is not None:  # its own alerts only, whatever it asked
        matchers = replace(matchers, partner_id=cmd.as_partner)
    starts_at = cmd.starts_at or now
    if cmd.ends_at <= max(starts_at, now):
        raise DomainError(
            "ends_at must be after starts_at and in the future",
            field="ends_at",
            code="silence_ends_too_soon",
        )
    silence = Silence(
        str(uuid.uuid4()), matchers, starts_at, cmd.ends_at, cmd.author, cmd.comment, now
    )
    await store.add(silence)
    return silence


async def expire_silence(
    silence_id: str, by: str, as_partner: str | None, store: SilenceStore, clock: Clock
) -> Silence:
    silence = await store.get(silence_id)
    if silence is None or (as_partner is not None and silence.matchers.partner_id != as_partner):
        raise SilenceNotFound(f"no silence {silence_id}", field="silence_id")
    expired = silence.expire(by, clock())
    await store.save(expired)
    return expired
