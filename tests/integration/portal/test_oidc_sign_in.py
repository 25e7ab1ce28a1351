"""Signing in to the portal with an OpenID Connect provider (the test suite's own, a real
one over HTTP): the code flow with PKCE and a nonce through the provider's login form, then
the registry checks the id_token and answers the person's token. Someone the registry does
not know is told to ask for an invitation."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from html import unescape

import httpx
import pytest

from tests.support.oidc_provider import OidcProvider, OidcUser

from .conftest import Stack, Visitor, running
from .test_identity_pages import signed_up

pytestmark = pytest.mark.integration

ADA = OidcUser(username="ada", email="ada@lovelace.example", name="Ada Lovelace")
STRANGER = OidcUser(username="eve", email="eve@nowhere.example", name="Eve")


@pytest.fixture(scope="module")
async def provider(infrastructure: None) -> AsyncIterator[OidcProvider]:
    async with OidcProvider([ADA, STRANGER], client_id="pact-portal") as idp:
        yield idp


@pytest.fixture(scope="module")
async def oidc_stack(provider: OidcProvider) -> AsyncIterator[Stack]:
    s = Stack(
        f"t{uuid.uuid4().hex[:10]}.",
        registry_env={
            "REGISTRY_OIDC_ISSUER": provider.issuer,
            "REGISTRY_OIDC_CLIENT_ID": provider.client_id,
        },
        portal_env={
            "PORTAL_OIDC_ISSUER": provider.issuer,
            "PORTAL_OIDC_CLIENT_ID": provider.client_id,
            "PORTAL_OIDC_CLIENT_SECRET": provider.client_secret,
            "PORTAL_OIDC_LABEL": "EU Login",
        },
    )
    async with running(s):
        yield s


async def through_the_provider(
    client: httpx.AsyncClient, portal: str, username: str
) -> httpx.Response:
    """Click "Sign in with EU Login", type the username at the provider, come back."""
    start = await client.get(f"{portal}/sign-in/oidc")
    assert start.status_code == 302, start.text
    authorize = str(start.headers["location"])
    assert "code_challenge_method=S256" in authorize and "nonce=" in authorize
    form = await client.get(authorize)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.text))
    fields = {name: unescape(value) for name, value in fields.items()}
    provider = authorize.split("/authorize")[0]
    back = await client.post(f"{provider}/authorize", data={**fields, "username": username})
    assert back.status_code in (302, 303), back.text
    assert str(back.headers["location"]).startswith(f"{portal}/auth/callback?")
    return await client.get(str(back.headers["location"]))


async def test_a_person_signs_in_with_the_provider(oidc_stack: Stack) -> None:
    portal = oidc_stack.portal.url
    async with httpx.AsyncClient(base_url=portal, follow_redirects=True, timeout=30) as client:
        await signed_up(Visitor(client), f"Lovelace Analytical {uuid.uuid4().hex[:6]}", ADA.email)
    async with httpx.AsyncClient(timeout=30) as client:
        page = await client.get(f"{portal}/sign-in")
        assert "Sign in with EU Login" in page.text
        signed = await through_the_provider(client, portal, "ada")
        assert (signed.status_code, signed.headers["location"]) == (303, "/dashboard")
        account = await client.get(f"{portal}/account")
        assert account.status_code == 200
        assert ADA.email in account.text and "Coordinator" in account.text


async def test_someone_without_an_account_is_told_to_ask_for_an_invitation(
    oidc_stack: Stack,
) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        refused = await through_the_provider(client, oidc_stack.portal.url, "eve")
        assert refused.status_code == 403
        assert "ask your coordinator for an invitation" in refused.text
        account = await client.get(f"{oidc_stack.portal.url}/account", follow_redirects=True)
        assert account.url.path == "/sign-in"
