"""`make run` and `make up` seed the portal's demo accounts through the registry's invitation
API (pactctl.accounts); each then signs in to the portal with its development password."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from pact_common.dev_keys import DEV_ADMIN_API_KEY
from pactctl import accounts
from pactctl.api import Platform
from tests.support.registry import register

from .conftest import Stack, Visitor

pytestmark = pytest.mark.integration


async def test_the_demo_accounts_sign_in_to_the_portal(
    stack: Stack, registry: httpx.AsyncClient
) -> None:
    admin = Platform({"registry": stack.registry.url}, DEV_ADMIN_API_KEY)
    name = f"Demo Partner {uuid.uuid4().hex[:6]}"
    partner = await register(registry, legal_name=name, vat=None)
    done = await asyncio.to_thread(
        admin.post, "registry", f"/partners/{partner['partner_id']}/approve", {}
    )
    assert done["status"] == "active"
    seeded = [
        await asyncio.to_thread(accounts.seed_admin, admin),
        await asyncio.to_thread(
            accounts.seed_coordinator, admin, partner["partner_id"], name, "demo.example"
        ),
    ]
    again = await asyncio.to_thread(accounts.seed_admin, admin)  # a second make up
    assert again == seeded[0]
    lines = accounts.describe(seeded)
    assert lines[0].startswith("Portal: http://127.0.0.1:8000")
    assert accounts.ADMIN_EMAIL in lines[1] and "coordinator@demo.example" in lines[2]
    for account, shown in ((seeded[0], "Approvals"), (seeded[1], name)):
        async with httpx.AsyncClient(base_url=stack.portal.url, follow_redirects=True) as client:
            visitor = Visitor(client)
            await visitor.get("/sign-in")
            await visitor.submit("/sign-in", {"email": account.email, "password": account.password})
            assert "Signed in as" in visitor.text()
            await visitor.get("/organisation" if account.role == "coordinator" else "/account")
            assert shown in visitor.text()
