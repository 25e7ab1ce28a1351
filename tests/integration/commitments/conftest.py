from __future__ import annotations

import copy
import itertools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from commitments.bootstrap import build_app
from commitments.config import Settings
from pact_common.auth import Principal, Role, TokenIssuer
from pact_common.dev_keys import DEV_JWT_PRIVATE_KEY
from pact_contracts import (
    ALERTS,
    COMMITMENT_EVENTS,
    PARTNER_EVENTS,
    Event,
    PartnerApproved,
    PartnerRegistered,
    PartnershipCreated,
    key_for,
)
from pact_contracts.vocabulary import PartnerStatus
from tests.support.examples import PARTNER
from tests.support.kafka import Producer, read_events, wait_until
from tests.support.runtime import settings_for_test

DIGITAL = "digital-ecosystem"
#: The service's clock in these tests (a second later at each reading), so that the dates
#: in them never become the past.
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def ticking_clock() -> Callable[[], datetime]:
    ticks = itertools.count()
    return lambda: NOW + timedelta(seconds=next(ticks))


PLEDGE: dict[str, Any] = {
    "partnership_id": DIGITAL,
    "title": "Cloud and cybersecurity skills for 5,000 workers",
    "description": "Reskilling in advanced cloud and cybersecurity in DE and FR",
    "principle": "lifelong_learning",
    "action_type": "reskilling",
    "specialisations": ["cloud", "cybersecurity"],
    "levels": ["advanced"],
    "countries": ["DE", "FR"],
    "target_value": 5000,
    "start_date": "2026-01-01",
    "deadline": "2027-12-31",
    "milestones": [
        {"due_date": "2026-12-31", "value": 2000},
        {"due_date": "2027-06-30", "value": 3500},
    ],
    "cadence": "quarterly",
    "grace_days": 30,
}


def pledge(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(PLEDGE)
    for key, value in changes.items():
        if value is ...:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def partner_event(kind: type[Any], partner_id: str, version: int, status: str, **kw: Any) -> Event:
    snapshot = PARTNER.model_copy(update={"status": PartnerStatus(status)})
    return kind(
        partner_id=partner_id, partner_version=version, partner=snapshot, actor="secretariat", **kw
    )


@dataclass
class Harness:
    """The commitments service under test, with the means to drive and observe it."""

    client: httpx.AsyncClient
    settings: Settings
    db: Any
    issuer: TokenIssuer

    @property
    def commitment_topic(self) -> str:
        return self.settings.topic(COMMITMENT_EVENTS)

    def partner_token(self, partner_id: str, credentials: int = 1) -> dict[str, str]:
        principal = Principal(partner_id, Role.PARTNER, partner_id, credentials)
        return {"Authorization": f"Bearer {self.issuer.issue(principal)}"}

    def secretariat(self) -> dict[str, str]:
        principal = Principal(subject="secretariat", role=Role.SECRETARIAT)
        return {"Authorization": f"Bearer {self.issuer.issue(principal)}"}

    async def send(self, *events: Event) -> None:
        """Publish contract events as the registry or monitoring would (same keys)."""
        async with Producer() as producer:
            for event in events:
                topic = ALERTS if event.producer == "monitoring" else PARTNER_EVENTS
                await producer.send(self.settings.topic(topic), event.to_bytes(), key_for(event))

    async def applied(self, *events: Event) -> None:
        """Send events, then wait until the consumers have applied (or skipped) them all."""
        await self.send(*events)
        distinct = {str(e.event_id) for e in events}
        ids = [f"{self.settings.group(g)}:{e}" for g in ("partners", "alerts") for e in distinct]
        processed = self.db["processed_events"]
        await wait_until(
            lambda: _count_at_least(processed, {"_id": {"$in": ids}}, len(distinct)), timeout=30
        )

    async def active_partner(self, partner_id: str) -> None:
        """The registry registers and approves `partner_id`, and the partnership exists."""
        await self.applied(
            PartnershipCreated(
                partnership_id=DIGITAL, name="Digital Ecosystem", ecosystem="digital"
            ),
            partner_event(PartnerRegistered, partner_id, 1, "pending"),
            partner_event(PartnerApproved, partner_id, 2, "active"),
        )

    async def pledge(self, partner_id: str, **changes: Any) -> str:
        response = await self.client.post(
            "/commitments", json=pledge(**changes), headers=self.partner_token(partner_id)
        )
        assert response.status_code == 201, response.text
        commitment_id: str = response.json()["commitment_id"]
        return commitment_id

    async def events(self, count: int, **kw: Any) -> list[dict[str, Any]]:
        return await read_events(self.commitment_topic, count, **kw)


async def _count_at_least(collection: Any, query: dict[str, Any], n: int) -> bool:
    return bool(await collection.count_documents(query) >= n)


@pytest.fixture
async def commitments(namespace: str, db_name: str, mongo_client: Any) -> AsyncIterator[Harness]:
    settings = settings_for_test(Settings, namespace, db_name)
    app = build_app(settings, clock=ticking_clock())
    issuer = TokenIssuer(
        DEV_JWT_PRIVATE_KEY, settings.jwt_issuer, settings.jwt_audience, timedelta(minutes=10)
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://commitments") as client:
            yield Harness(client, settings, mongo_client[db_name], issuer)
