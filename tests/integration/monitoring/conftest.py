"""A running monitoring service (HTTP, consumers, sweep, relay) on the real mongod and Tansu,
with its own database, topics and a clock the test moves; and ways to feed it. With the
views kept apart (MONITORING_VIEWS_APART, the default; not with `make test-inline`), the
views' keeper runs beside it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import structlog

from monitoring.bootstrap import build_app
from monitoring.config import KeeperSettings, Settings
from monitoring.keeper.__main__ import APP_NAME, keep
from pact_common.auth import Principal, Role, TokenIssuer
from pact_common.dev_keys import DEV_JWT_PRIVATE_KEY
from pact_contracts import (
    ALERTS,
    COMMITMENT_EVENTS,
    PARTNER_EVENTS,
    PROGRESS_REJECTED,
    PROGRESS_REPORTED,
    CommitmentPledged,
    CommitmentSnapshot,
    Event,
    PartnerApproved,
    PartnerSnapshot,
    ProgressReported,
    key_for,
)
from tests.support.examples import COMMITMENT, PARTNER
from tests.support.kafka import Producer, read_events, wait_until
from tests.support.keeper import journal_empty
from tests.support.progress_store import stored_progress
from tests.support.runtime import settings_for_test

#: Mid-2026: the example commitment (2025-01-01..2027-12-31, quarterly, 30 days of grace)
#: has its 2026-12-31 milestone of 8,000 ahead.
START = datetime(2026, 5, 15, 9, 0, tzinfo=UTC)


class ManualClock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@dataclass
class Monitoring:
    settings: Settings
    http: httpx.AsyncClient
    db: Any
    clock: ManualClock
    producer: Producer
    sent: list[Event] = field(default_factory=list)
    app: Any = None  # the service's FastAPI app (its state holds the progress consumer)

    def topic(self, topic: Any) -> str:
        return self.settings.topic(topic)

    async def send(self, event: Event, headers: list[tuple[str, bytes]] | None = None) -> None:
        topic = next(
            t
            for t in (PARTNER_EVENTS, COMMITMENT_EVENTS, PROGRESS_REPORTED)
            if type(event) in t.events
        )
        await self.producer.send(self.topic(topic), event.to_bytes(), key_for(event), headers)

    async def send_raw(self, value: bytes, key: bytes = b"raw", headers: Any = None) -> None:
        await self.producer.send(self.topic(PROGRESS_REPORTED), value, key, headers)

    async def partner(self, partner_id: str = "p-acme", version: int = 2, **changes: Any) -> None:
        """Approved, and known to monitoring on return: the partner's token is answered
        (its read model, on another topic than the reports, is filled in its own time)."""
        snapshot = PartnerSnapshot.model_validate(PARTNER.model_dump() | changes)
        await self.send(
            PartnerApproved(partner_id=partner_id, partner_version=version, partner=snapshot)
        )
        await self.wait_for_partner(partner_id, version)

    async def commitment(
        self,
        commitment_id: str = "c-cloud",
        version: int = 1,
        kind: type = CommitmentPledged,
        **changes: Any,
    ) -> None:
        snapshot = CommitmentSnapshot.model_validate(COMMITMENT.model_dump() | changes)
        await self.send(
            kind(commitment_id=commitment_id, commitment_version=version, commitment=snapshot)
        )

    async def progress(self, commitment_id: str = "c-cloud") -> dict[str, Any] | None:
        return await stored_progress(self.db, commitment_id)

    async def wait_for_commitment(self, commitment_id: str = "c-cloud", version: int = 1) -> None:
        async def arrived() -> bool:
            doc = await self.progress(commitment_id)
            return doc is not None and doc["version"] >= version

        await wait_until(arrived)

    async def wait_for_partner(self, partner_id: str = "p-acme", version: int = 2) -> None:
        await wait_until(
            lambda: self.db["partners"].find_one({"_id": partner_id, "version": {"$gte": version}})
        )

    async def rejections(self, count: int, **kw: Any) -> list[dict[str, Any]]:
        return await read_events(self.topic(PROGRESS_REJECTED), count, **kw)

    async def alerts(self, count: int, **kw: Any) -> list[dict[str, Any]]:
        return await read_events(self.topic(ALERTS), count, **kw)

    async def barrier(self, key: str = "c-cloud") -> None:
        """Wait until everything sent so far with this key is taken: a report sent after
        them on the same partition (refused: its partner is unknown) has been handled."""
        mark = report(partner_id="p-barrier", commitment_id=key)
        await self.producer.send(self.topic(PROGRESS_REPORTED), mark.to_bytes(), key.encode())
        await wait_until(lambda: self.db["rejections"].find_one({"event_id": str(mark.event_id)}))
        if self.settings.views_apart:  # and the views' keeper has caught up with them
            await wait_until(self.views_kept)

    async def views_kept(self) -> bool:
        """Nothing left in the journal of the views kept apart (none when kept inline)."""
        return await journal_empty(self.db)

    async def snapshot(self) -> dict[str, Any]:
        """Everything the service keeps, but its bookkeeping of what it has seen."""
        state = {}
        for name in ("commitments", "rollups", "alerts", "targets", "parked_reports", "outbox"):
            state[name] = (
                await self.db[name]
                .find({}, {"published_at": 0, "published_at_expiry": 0})
                .to_list()
            )
        state["rejections"] = (
            await self.db["rejections"].find({"partner_id": {"$ne": "p-barrier"}}).to_list()
        )
        state["outbox"] = [d for d in state["outbox"] if "p-barrier" not in d["payload"]]
        return state

    async def sweep(self) -> None:
        """Run the clock-driven rules now (the background sweep does the same on its own)."""
        await self.http._transport.app.state.sweeper.run_once()  # type: ignore[attr-defined]

    def token(self, partner_id: str | None = "p-acme", credentials: int = 1) -> dict[str, str]:
        issuer = TokenIssuer(
            DEV_JWT_PRIVATE_KEY,
            self.settings.jwt_issuer,
            self.settings.jwt_audience,
            timedelta(minutes=5),
        )
        principal = (
            Principal(partner_id, Role.PARTNER, partner_id, credentials)
            if partner_id
            else Principal("secretariat", Role.SECRETARIAT)
        )
        return {"Authorization": f"Bearer {issuer.issue(principal)}"}


def report(period: str = "2026-Q1", people_trained: int = 100, **changes: Any) -> ProgressReported:
    values: dict[str, Any] = {
        "partner_id": "p-acme",
        "commitment_id": "c-cloud",
        "period": period,
        "people_trained": people_trained,
    }
    return ProgressReported(**(values | changes))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def overrides() -> dict[str, Any]:
    """Settings of the service under test; a test parametrizes `overrides` to change them."""
    return {}


@pytest.fixture
async def monitoring(
    namespace: str, db_name: str, mongo_client: Any, clock: ManualClock, overrides: dict[str, Any]
) -> AsyncIterator[Monitoring]:
    """The background sweep runs hourly unless a test asks for more; tests call sweep()."""
    # no flap damping nor inhibition unless a test asks (test_silences.py, test_flapping.py)
    values = {"sweep_interval_seconds": 3600.0, "park_seconds": 3600.0}
    values |= {"min_firing_seconds": 0.0, "inhibition": {}}
    values |= overrides
    settings = settings_for_test(Settings, namespace, db_name, **values)
    app = build_app(settings, clock)
    async with app.router.lifespan_context(app), Producer() as producer, keeper(settings):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://monitoring") as http:
            yield Monitoring(settings, http, mongo_client[db_name], clock, producer, app=app)


@contextlib.asynccontextmanager
async def keeper(settings: Settings) -> AsyncIterator[None]:
    """The views' keeper (python -m monitoring.keeper), in this process, when they are kept
    apart: rounds every 50 ms."""
    if not settings.views_apart:
        yield
        return
    values = {"mongo_url": settings.mongo_url, "views_apart": True, "keeper_idle_seconds": 0.05}
    own = settings_for_test(KeeperSettings, settings.topic_namespace, settings.mongo_db, **values)
    stop = asyncio.Event()
    task = asyncio.create_task(keep(own, stop, structlog.get_logger(APP_NAME)))
    try:
        yield
    finally:
        stop.set()
        await task
