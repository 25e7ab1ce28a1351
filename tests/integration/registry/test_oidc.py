"""Sign-in with an OpenID Connect provider (issue 15), against a real one run as a process
(tests/support/oidc_provider.py): the registry verifies the id_token with the provider's
published keys, then finds the account by the linked identity or by a verified email."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from pymongo import AsyncMongoClient

from registry.bootstrap import build_app
from registry.config import Settings
from tests.support.oidc_provider import OidcProvider, OidcUser
from tests.support.runtime import settings_for_test

from .people import invited, organisation, refused

pytestmark = pytest.mark.integration

USERS = [
    OidcUser("ada", "ada.lovelace@oidc.example", "Ada Lovelace"),
    OidcUser("eve", "eve@oidc.example", "Eve", email_verified=False),
    OidcUser("stranger", "stranger@oidc.example", "Stranger"),
    OidcUser("dora", "dora@oidc.example", "Dora"),
]


@pytest.fixture
async def provider() -> AsyncIterator[OidcProvider]:
    async with OidcProvider(USERS, client_id="pact-portal") as running:
        yield running


@pytest.fixture
async def registry_with_oidc(
    namespace: str, db_name: str, provider: OidcProvider
) -> AsyncIterator[httpx.AsyncClient]:
    settings = settings_for_test(
        Settings, namespace, db_name, oidc_issuer=provider.issuer, oidc_client_id="pact-portal"
    )
    app = build_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
            yield client


async def _oidc(registry: httpx.AsyncClient, provider: OidcProvider, username: str) -> Any:
    flow = await provider.code_flow(username)
    return await registry.post(
        "/auth/oidc", json={"id_token": flow["id_token"], "nonce": flow["nonce"]}
    )


async def test_a_verified_email_finds_the_account_and_links_the_identity(
    registry_with_oidc: httpx.AsyncClient,
    provider: OidcProvider,
    mongo_client: AsyncMongoClient[dict[str, Any]],
    db_name: str,
) -> None:
    registry = registry_with_oidc
    _, coordinator = await organisation(registry, "Federated Org")
    ada = await invited(registry, coordinator.headers, "Ada.Lovelace@oidc.example", "reporter")
    answer = await _oidc(registry, provider, "ada")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["user"]["user_id"] == ada.user_id and body["user"]["role"] == "reporter"
    me = await registry.get("/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.json()["email"] == "ada.lovelace@oidc.example"
    stored = await mongo_client[db_name]["users"].find_one({"_id": ada.user_id})
    assert stored is not None and stored["oidc_iss"] == provider.issuer
    assert stored["oidc_sub"] == USERS[0].subject
    # linked: the next sign-in finds it by the identity
    again = await _oidc(registry, provider, "ada")
    assert again.status_code == 200 and again.json()["user"]["user_id"] == ada.user_id


async def test_no_account_for_an_unknown_an_unverified_or_a_disabled_email(
    registry_with_oidc: httpx.AsyncClient, provider: OidcProvider
) -> None:
    registry = registry_with_oidc
    _, coordinator = await organisation(registry, "Careful Org")
    await invited(registry, coordinator.headers, "eve@oidc.example", "viewer")
    dora = await invited(registry, coordinator.headers, "dora@oidc.example", "viewer")
    off = await registry.patch(
        f"/users/{dora.user_id}", headers=coordinator.headers, json={"status": "disabled"}
    )
    assert off.status_code == 200, off.text
    for username in ("stranger", "eve", "dora"):
        answer = await _oidc(registry, provider, username)
        refused(answer, 403, "no_account", "id_token")
        assert "ask your coordinator for an invitation" in answer.json()["error"]["message"]


async def test_a_token_with_another_nonce_another_key_or_for_another_client_is_refused(
    registry_with_oidc: httpx.AsyncClient, provider: OidcProvider
) -> None:
    registry = registry_with_oidc
    flow = await provider.code_flow("ada")
    replayed = await registry.post(
        "/auth/oidc", json={"id_token": flow["id_token"], "nonce": "another-nonce"}
    )
    refused(replayed, 401, "invalid_id_token", "id_token")

    now = int(time.time())
    claims = {
        "iss": provider.issuer, "aud": "pact-portal", "sub": USERS[0].subject, "iat": now,
        "exp": now + 300, "nonce": "n-1", "email": USERS[0].email, "email_verified": True,
    }  # fmt: skip
    forger = RSAKey.generate_key(2048, {"kid": "forged"}, private=True)
    forged = jwt.encode({"alg": "RS256", "kid": "forged"}, claims, forger)
    answer = await registry.post("/auth/oidc", json={"id_token": forged, "nonce": "n-1"})
    refused(answer, 401, "invalid_id_token", "id_token")

    other = await provider.code_flow("ada")
    assert other["id_token"] != flow["id_token"]
    garbage = await registry.post("/auth/oidc", json={"id_token": "not.a.token", "nonce": "n"})
    refused(garbage, 401, "invalid_id_token", "id_token")


async def test_another_clients_tokens_are_refused(
    namespace: str, db_name: str, provider: OidcProvider
) -> None:
    settings = settings_for_test(
        Settings, namespace, db_name, oidc_issuer=provider.issuer, oidc_client_id="someone-else"
    )
    app = build_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
            answer = await _oidc(client, provider, "ada")
    refused(answer, 401, "invalid_id_token", "id_token")


async def test_without_a_provider_oidc_is_not_configured(registry: httpx.AsyncClient) -> None:
    answer = await registry.post("/auth/oidc", json={"id_token": "a.b.c", "nonce": "n"})
    refused(answer, 404, "oidc_not_configured")
