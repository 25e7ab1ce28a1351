"""Silences over HTTP: create one, list them by state, expire one. A partner's people silence
their own organisation's alerts only (the partner matcher is theirs, whatever was asked); the
secretariat any; a viewer none. Their deliveries are held meanwhile (service_layer/muting.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from monitoring.notify.domain.silences import Matchers, Silence, SilenceState
from monitoring.notify.service_layer import silencing
from monitoring.notify.service_layer.silencing import SilenceStore
from pact_common.auth import CurrentPrincipal
from pact_common.clock import Clock
from pact_common.http import problems
from pact_common.permissions import Permission
from pact_contracts import AlertRule, Severity

_ID = Field(max_length=200, pattern=r"^[A-Za-z0-9._:-]+$")


class MatchersBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: AlertRule | None = Field(default=None, description="Alerts of this rule only.")
    severity: Severity | None = Field(default=None, description="Of this severity only.")
    partner_id: Annotated[str, _ID] | None = Field(
        default=None, description="Of this partner (a partner's own, whatever is asked)."
    )
    commitment_id: Annotated[str, _ID] | None = Field(
        default=None, description="About this commitment only."
    )
    partnership_id: Annotated[str, _ID] | None = Field(
        default=None, description="In this partnership only."
    )


class SilenceBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    matchers: MatchersBody = Field(
        description="Every matcher given must hold; none given: every alert (of the partner).",
        examples=[{"rule": "CommitmentAtRisk", "commitment_id": "c-123"}],
    )
    starts_at: AwareDatetime | None = Field(default=None, description="Default: now.")
    ends_at: AwareDatetime = Field(description="When the silence ends.")
    comment: str = Field(
        min_length=1,
        max_length=2000,
        description="Why.",
        examples=["The Q3 export is being fixed; figures follow next week."],
    )


class SilenceOut(BaseModel):
    silence_id: str
    matchers: dict[str, str] = Field(description="The matchers given (partner's forced).")
    starts_at: datetime
    ends_at: datetime
    state: SilenceState = Field(description="pending, active or expired, now.")
    author: str = Field(description="Who created it.")
    comment: str
    created_at: datetime
    expired_by: str | None = Field(description="Who expired it by hand, if anyone.")

    @classmethod
    def of(cls, s: Silence, now: datetime) -> SilenceOut:
        return cls(
            silence_id=s.silence_id,
            matchers=s.matchers.as_dict(),
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            state=s.state(now),
            author=s.author,
            comment=s.comment,
            created_at=s.created_at,
            expired_by=s.expired_by,
        )


class SilenceList(BaseModel):
    items: list[SilenceOut]


@dataclass
class SilenceServices:
    store: SilenceStore
    clock: Clock


def silences_router(svc: SilenceServices) -> APIRouter:
    router = APIRouter(tags=["silences"])

    @router.post(
        "/silences",
        status_code=201,
        response_model=SilenceOut,
        responses=problems(401, 403, 413, 422),
    )
    async def create(body: SilenceBody, principal: CurrentPrincipal) -> SilenceOut:
        """Silence matching alerts from `starts_at` (now) until `ends_at`: they are still
        recorded and shown as silenced, not delivered; when the silence ends, those still
        firing are delivered then."""
        principal.require(Permission.SILENCE_ALERTS)
        m = body.matchers
        cmd = silencing.CreateSilence(
            Matchers(
                m.rule.value if m.rule else None,
                m.severity.value if m.severity else None,
                m.partner_id,
                m.commitment_id,
                m.partnership_id,
            ),
            body.ends_at,
            body.comment,
            principal.actor,
            body.starts_at,
            None if principal.is_secretariat else principal.partner_id,
        )
        silence = await silencing.create_silence(cmd, svc.store, svc.clock)
        return SilenceOut.of(silence, svc.clock())

    @router.get("/silences", response_model=SilenceList, responses=problems(401, 403, 422))
    async def listed(
        principal: CurrentPrincipal,
        state: Annotated[SilenceState | None, Query(description="Default: all.")] = None,
    ) -> SilenceList:
        """Silences, newest first (a partner's people see their organisation's)."""
        own = None if principal.is_secretariat else principal.partner_id or ""
        now = svc.clock()
        items = await svc.store.listed(state, own, now)
        return SilenceList(items=[SilenceOut.of(s, now) for s in items])

    @router.post(
        "/silences/{silence_id}/expire",
        response_model=SilenceOut,
        responses=problems(401, 403, 404, 409),
    )
    async def expire(silence_id: str, principal: CurrentPrincipal) -> SilenceOut:
        """End a silence now: its alerts still firing are delivered then."""
        principal.require(Permission.SILENCE_ALERTS)
        own = None if principal.is_secretariat else principal.partner_id or ""
        silence = await silencing.expire_silence(
            silence_id, principal.actor, own, svc.store, svc.clock
        )
        return SilenceOut.of(silence, svc.clock())

    return router
