"""`make run` runs the platform time-lapsed (a day a second): a person signed in to the portal
stays signed in, and a step-up (the password again) still counts, since tokens carry the wall
clock's times, which every service checks them against; an invitation link lasts its time in
people's hours too."""

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
        # an hour's invitation: two seconds are two platform days, not two hours of people's
        registry_env={
            **{f"REGISTRY_{k}": v for k, v in LAPSE.items()},
            "REGISTRY_INVITATION_TTL_HOURS": "1",
        },
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
        # an invitation link lasts its hour of people's time, not of the platform's
        await visitor.get("/organisation/people")
        await visitor.submit(
            "/organisation/people/invite",
            {"email": f"ina-{suffix}@lapse.example", "role": "viewer"},
        )
        link = visitor.page.split('id="invitation-link" type="text" readonly value="')[1]
        link = link.split('"')[0]
    await asyncio.sleep(2)
    async with httpx.AsyncClient(follow_redirects=True) as client:
        invited = Visitor(client)
        await invited.get(link)
        await invited.submit(link, {"name": "Ina Invited", "password": PASSWORD})
        assert "Welcome, Ina Invited." in invited.text()
