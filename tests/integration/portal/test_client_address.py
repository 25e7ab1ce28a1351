"""The registry counts anonymous requests (sign-in attempts among them) per client address.
Behind the portal, every visitor would share the portal's own: the portal passes on each
visitor's address, so one visitor's failed attempts do not lock out another."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from .conftest import FORM, Stack, running

pytestmark = pytest.mark.integration

ATTEMPTS = 3


@pytest.fixture(scope="module")
async def strict(infrastructure: None) -> AsyncIterator[Stack]:
    limit = {"REGISTRY_RATE_LIMIT_ANONYMOUS": f"{ATTEMPTS}/minute"}
    async with running(Stack(f"t{uuid.uuid4().hex[:10]}.", registry_env=limit)) as s:
        yield s


async def sign_in(client: httpx.AsyncClient, address: str) -> httpx.Response:
    """A wrong password, from a visitor at `address` (as the proxy in front would say)."""
    page = await client.get("/sign-in", headers={"X-Forwarded-For": address})
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    body = f"email=someone%40portal.example&password=not+the+password+at+all&csrf_token={token}"
    return await client.post("/sign-in", content=body, headers={**FORM, "X-Forwarded-For": address})


async def test_each_visitor_has_its_own_count(strict: Stack) -> None:
    async with httpx.AsyncClient(base_url=strict.portal.url) as mallory:
        tries = [await sign_in(mallory, "198.51.100.7") for _ in range(ATTEMPTS + 1)]
        assert [t.status_code for t in tries] == [401] * ATTEMPTS + [429]
        assert "Too many attempts" in tries[-1].text
    async with httpx.AsyncClient(base_url=strict.portal.url) as alice:
        answer = await sign_in(alice, "203.0.113.20")
        assert answer.status_code == 401
        assert "The email or the password is not right." in answer.text
