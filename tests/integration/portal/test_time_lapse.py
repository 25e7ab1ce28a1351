"""`make run` runs the platform time-lapsed (a day a second): a person signed in to the portal
stays signed in, and a step-up (the password again) still counts, since tokens carry the wall
clock's times, which every service checks them against."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from .conftest import PASSWORD, Stack, Visitor, running
from .test_identity_pages import signed_up

pytestmark = pytest.mark.integration

LAPSE = {"CLOCK_SPEED": "86400"}


@pytest.fixture(scope="module")
async def lapsed(infrastructure: None) -> AsyncIterator[Stack]:
    s = Stack(
        f"t{uuid.uuid4().hex[:10]}.",
        registry_env={f"REGISTRY_{k}": v for k, v in LAPSE.items()},
    )
    for service in (s.commitments, s.monitoring):
        service.env.update({f"{service.name.upper()}_{k}": v for k, v in LAPSE.items()})
    async with running(s):
        yield s


async def test_a_person_stays_signed_in_while_days_pass_by_the_second(lapsed: Stack) -> None:
    async with httpx.AsyncClient(base_url=lapsed.portal.url, follow_redirects=True) as client:
        visitor = Visitor(client)
        suffix = uuid.uuid4().hex[:6]
        await signed_up(visitor, f"Fast Forward {suffix}", f"ff-{suffix}@lapse.example")
        await asyncio.sleep(3)  # three platform days
        account = await visitor.get("/account")
        assert account.url.path == "/account"
        await visitor.get("/organisation")
        await visitor.submit(
            "/organisation/webhook",
            {"webhook_url": "https://hooks.lapse.example/pact", "password": PASSWORD},
        )
        assert "The webhook is saved." in visitor.text()
