"""The test OpenID Connect provider speaks the protocol for real: the registry's and the
portal's OIDC sign-in tests prove nothing unless the provider they run against does.

It runs as a process, as in those tests; a relying party here is httpx by hand and authlib's
own client (the portal's library), and the id_token is checked against the published JWKS."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.errors import InvalidClaimError
from joserfc.jwk import KeySet

from tests.support.oidc_provider import OidcProvider, OidcUser, parse_users

ADA = OidcUser(username="ada", email="ada@cloud-academy.example", name="Ada Lovelace")
UNVERIFIED = OidcUser(username="eve", email="eve@elsewhere.example", email_verified=False)
CALLBACK = "http://127.0.0.1:8000/auth/callback"


@pytest.fixture(scope="module")
async def provider() -> AsyncIterator[OidcProvider]:
    async with OidcProvider([ADA, UNVERIFIED], client_id="pact-portal") as running:
        yield running


async def verified(provider: OidcProvider, id_token: str, nonce: str) -> dict[str, Any]:
    """What a relying party does with an id_token: signature by the JWKS, then the claims."""
    async with httpx.AsyncClient() as http:
        meta = (await http.get(f"{provider.url}/.well-known/openid-configuration")).json()
        keys = KeySet.import_key_set((await http.get(meta["jwks_uri"])).json())
    token = jwt.decode(id_token, keys, algorithms=["RS256"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": provider.issuer},
        aud={"essential": True, "value": provider.client_id},
        nonce={"essential": True, "value": nonce},
        exp={"essential": True},
        iat={"essential": True},
        sub={"essential": True},
    ).validate(token.claims)
    return dict(token.claims)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorization(provider: OidcProvider, challenge: str, **changes: str) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": CALLBACK,
        "scope": "openid email profile",
        "state": "s-1",
        "nonce": "n-" + secrets.token_hex(8),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **changes,
    }


async def test_discovery_names_every_endpoint(provider: OidcProvider) -> None:
    async with httpx.AsyncClient(base_url=provider.url) as http:
        meta = (await http.get("/.well-known/openid-configuration")).json()
        assert meta["issuer"] == provider.issuer
        paths = {"authorization": "authorize", "token": "token", "userinfo": "userinfo"}
        for endpoint, path in paths.items():
            assert meta[f"{endpoint}_endpoint"] == f"{provider.url}/{path}"
        assert meta["code_challenge_methods_supported"] == ["S256"]
        [key] = (await http.get("/jwks")).json()["keys"]
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    assert "d" not in key  # the public half only


async def test_a_code_flow_by_hand(provider: OidcProvider) -> None:
    verifier, challenge = pkce()
    query = authorization(provider, challenge)
    async with httpx.AsyncClient(base_url=provider.url) as http:
        form = await http.get("/authorize", params=query)
        assert form.status_code == 200
        assert '<label for="username">Username</label>' in form.text
        unknown = await http.post("/authorize", data={**query, "username": "mallory"})
        assert unknown.status_code == 401
        back = await http.post("/authorize", data={**query, "username": "ada"})
        assert back.status_code == 302
        location = httpx.URL(back.headers["location"])
        assert str(location.copy_with(query=None)) == CALLBACK
        assert location.params["state"] == "s-1"
        exchange = {
            "grant_type": "authorization_code",
            "code": location.params["code"],
            "redirect_uri": CALLBACK,
            "code_verifier": verifier,
        }
        wrong_secret = await http.post("/token", data=exchange, auth=(provider.client_id, "no"))
        assert wrong_secret.json()["error"] == "invalid_client"
        client_post = {"client_id": provider.client_id, "client_secret": provider.client_secret}
        wrong_verifier = await http.post(
            "/token", data={**exchange, **client_post, "code_verifier": "x" * 43}
        )
        assert wrong_verifier.json()["error"] == "invalid_grant"  # and the code is spent
        back = await http.post("/authorize", data={**query, "username": "ada"})
        exchange["code"] = httpx.URL(back.headers["location"]).params["code"]
        tokens = await http.post("/token", data={**exchange, **client_post})
        assert tokens.status_code == 200, tokens.text
        again = await http.post("/token", data={**exchange, **client_post})
        assert again.json()["error"] == "invalid_grant"  # a code is used once
        body = tokens.json()
        info = await http.get(
            "/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}
        )
        assert (await http.get("/userinfo")).status_code == 401
    claims = await verified(provider, body["id_token"], query["nonce"])
    assert claims["email"] == ADA.email and claims["email_verified"] is True
    assert claims["sub"] == ADA.subject == info.json()["sub"]
    assert claims["exp"] > claims["iat"]
    with pytest.raises(InvalidClaimError):
        await verified(provider, body["id_token"], "another nonce")


async def test_authlib_as_the_relying_party(provider: OidcProvider) -> None:
    """The portal's library, as it will run the flow: S256, nonce, client_secret_basic."""
    nonce = secrets.token_urlsafe(12)
    verifier = secrets.token_urlsafe(48)
    async with AsyncOAuth2Client(
        provider.client_id,
        provider.client_secret,
        scope="openid email profile",
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
    ) as client:
        url, state = client.create_authorization_url(
            f"{provider.url}/authorize", nonce=nonce, code_verifier=verifier
        )
        query = dict(httpx.URL(url).params)
        async with httpx.AsyncClient() as person:  # the browser, at the login form
            login = f"{provider.url}/authorize"
            back = await person.post(login, data={**query, "username": "eve"})
        token = await client.fetch_token(
            f"{provider.url}/token",
            authorization_response=back.headers["location"],
            code_verifier=verifier,
        )
    claims = await verified(provider, token["id_token"], nonce)
    assert (claims["email"], claims["email_verified"]) == (UNVERIFIED.email, False)
    assert state == query["state"]


async def test_the_one_time_helper_gives_a_verifiable_id_token(provider: OidcProvider) -> None:
    got = await provider.code_flow("ada", nonce="nonce-42")
    assert (await verified(provider, got["id_token"], "nonce-42"))["email"] == ADA.email


async def test_it_refuses_a_flow_without_pkce(provider: OidcProvider) -> None:
    _, challenge = pkce()
    async with httpx.AsyncClient(base_url=provider.url) as http:
        plain = authorization(provider, challenge, code_challenge_method="plain")
        assert (await http.get("/authorize", params=plain)).status_code == 400
        stranger = authorization(provider, challenge, client_id="someone-else")
        assert (await http.get("/authorize", params=stranger)).status_code == 400


def test_users_by_list_or_by_username() -> None:
    listed = parse_users('[{"username": "ada", "email": "a@x.example"}]')
    keyed = parse_users({"ada": {"email": "a@x.example"}})
    assert listed == keyed
    assert listed[0].email_verified is True
