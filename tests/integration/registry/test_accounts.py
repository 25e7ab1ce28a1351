"""People's accounts (issue 15): an organisation's first coordinator, sign-in with a password
kept as an Argon2 hash, invitations kept as the hash of their token, and TOTP."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pyotp
import pytest
from pymongo import AsyncMongoClient

from tests.support.registry import register, secretariat

from .people import PASSWORD, invited, organisation, refused, sign_in, signed_in

pytestmark = pytest.mark.integration


async def test_the_first_coordinator_signs_in_and_the_password_is_kept_as_an_argon2_hash(
    registry: httpx.AsyncClient, mongo_client: AsyncMongoClient[dict[str, Any]], db_name: str
) -> None:
    partner, coordinator = await organisation(registry, "Argon Works")
    pid = partner["partner_id"]
    stored = await mongo_client[db_name]["users"].find_one({"_id": coordinator.user_id})
    assert stored is not None and stored["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in json.dumps(stored, default=str)
    assert stored["email"] == f"coordinator@{pid}.example"

    claims = coordinator.claims
    assert claims["user_role"] == "coordinator" and claims["partner_id"] == pid
    assert claims["sub"] == coordinator.user_id and claims["email"] == coordinator.email
    assert abs(claims["auth_time"] - time.time()) < 60
    assert claims["exp"] - claims["iat"] == 3600  # REGISTRY_USER_TOKEN_TTL_SECONDS

    me = await registry.get("/auth/me", headers=coordinator.headers)
    assert me.status_code == 200, me.text
    assert me.json() | {"created_at": None} == {
        "user_id": coordinator.user_id,
        "email": coordinator.email,
        "name": "Coco Ordinator",
        "role": "coordinator",
        "partner_id": pid,
        "status": "active",
        "totp_enabled": False,
        "created_at": None,
    }
    # the coordinator's token reads the organisation like its API key's
    own = await registry.get(f"/partners/{pid}", headers=coordinator.headers)
    assert own.status_code == 200 and own.json()["contact_email"] is not None

    again = await registry.post(
        f"/partners/{pid}/users/first",
        headers={"X-Api-Key": partner["api_key"]},
        json={"email": "second@example.org", "name": "Second", "password": PASSWORD},
    )
    refused(again, 409, "has_users")


async def test_a_wrong_password_an_unknown_email_and_a_wrong_key_are_refused_alike(
    registry: httpx.AsyncClient,
) -> None:
    partner, coordinator = await organisation(registry, "Refusals Ltd")
    wrong = await registry.post(
        "/auth/password", json={"email": coordinator.email, "password": "x" * 14}
    )
    unknown = await sign_in(registry, "nobody@nowhere.example")
    refused(wrong, 401, "invalid_credentials")
    refused(unknown, 401, "invalid_credentials")
    assert wrong.json() == unknown.json()
    # the email in another case is the same account
    assert (await sign_in(registry, coordinator.email.upper())).status_code == 200

    other = await register(registry, legal_name="Key Thief Ltd", vat=None)
    stolen = await registry.post(
        f"/partners/{other['partner_id']}/users/first",
        headers={"X-Api-Key": partner["api_key"]},
        json={"email": "thief@example.org", "name": "Thief", "password": PASSWORD},
    )
    refused(stolen, 401, "invalid_credentials", "x-api-key")


@pytest.mark.parametrize(
    ("password", "rule"),
    [("short pass", "12 characters"), ("x" * 129, "128"), ("new@people.example", "email")],
)
async def test_a_password_is_12_to_128_characters_and_not_the_email(
    registry: httpx.AsyncClient, password: str, rule: str
) -> None:
    partner = await register(registry, legal_name=f"Password Rules {len(password)}", vat=None)
    answer = await registry.post(
        f"/partners/{partner['partner_id']}/users/first",
        headers={"X-Api-Key": partner["api_key"]},
        json={"email": "new@people.example", "name": "New", "password": password},
    )
    refused(answer, 422, answer.json()["error"]["code"], "password")


async def test_an_invitation_is_kept_as_its_hash_shown_to_its_holder_and_used_once(
    registry: httpx.AsyncClient, mongo_client: AsyncMongoClient[dict[str, Any]], db_name: str
) -> None:
    partner, coordinator = await organisation(registry, "Invitations Unlimited")
    pid = partner["partner_id"]
    made = await registry.post(
        "/invitations",
        headers=coordinator.headers,
        json={"email": "Rita.Reporter@Example.org", "role": "reporter"},
    )
    assert made.status_code == 201, made.text
    body = made.json()
    token = body["token"]
    assert body["email"] == "rita.reporter@example.org" and body["partner_id"] == pid
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(hours=167) < expires - datetime.now(UTC) <= timedelta(hours=168)
    stored = await mongo_client[db_name]["invitations"].find_one({"_id": body["invitation_id"]})
    assert stored is not None and stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps(stored, default=str)
    assert stored["created_by"] == coordinator.email

    shown = await registry.get(f"/invitations/{token}")
    assert shown.status_code == 200, shown.text
    assert shown.json()["organisation_name"] == "Invitations Unlimited"
    assert shown.json()["role"] == "reporter"

    accepted = await registry.post(
        f"/invitations/{token}/accept", json={"name": "Rita", "password": PASSWORD}
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["user"]["role"] == "reporter"
    assert accepted.json()["user"]["partner_id"] == pid
    refused(await registry.get(f"/invitations/{token}"), 410, "invitation_used")
    again = await registry.post(
        f"/invitations/{token}/accept", json={"name": "Rita", "password": PASSWORD}
    )
    refused(again, 410, "invitation_used")
    refused(await registry.get("/invitations/" + "x" * 43), 404, "invitation_not_found")

    exists = await registry.post(
        "/invitations",
        headers=coordinator.headers,
        json={"email": "rita.reporter@example.org", "role": "viewer"},
    )
    refused(exists, 409, "user_exists", "email")


async def test_an_expired_invitation_is_gone(
    registry: httpx.AsyncClient, mongo_client: AsyncMongoClient[dict[str, Any]], db_name: str
) -> None:
    _, coordinator = await organisation(registry, "Late Comers")
    made = await registry.post(
        "/invitations",
        headers=coordinator.headers,
        json={"email": "late@example.org", "role": "viewer"},
    )
    token = made.json()["token"]
    await mongo_client[db_name]["invitations"].update_one(
        {"_id": made.json()["invitation_id"]},
        {"$set": {"expires_at": datetime.now(UTC) - timedelta(seconds=1)}},
    )
    refused(await registry.get(f"/invitations/{token}"), 410, "invitation_expired")
    late = await registry.post(
        f"/invitations/{token}/accept", json={"name": "Late", "password": PASSWORD}
    )
    refused(late, 410, "invitation_expired")


async def test_totp_once_confirmed_is_asked_at_every_sign_in(
    registry: httpx.AsyncClient,
) -> None:
    _, coordinator = await organisation(registry, "Second Factor SA")
    setup = await registry.post("/users/me/totp", headers=coordinator.headers)
    assert setup.status_code == 200, setup.text
    secret = setup.json()["secret"]
    assert setup.json()["otpauth_uri"].startswith("otpauth://totp/")
    # set up but not confirmed: sign-in still without a code
    assert (await sign_in(registry, coordinator.email)).status_code == 200

    wrong_code = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    wrong = await registry.post(
        "/users/me/totp/confirm", headers=coordinator.headers, json={"code": wrong_code}
    )
    refused(wrong, 422, "totp_invalid", "code")
    confirmed = await registry.post(
        "/users/me/totp/confirm",
        headers=coordinator.headers,
        json={"code": pyotp.TOTP(secret).now()},
    )
    assert confirmed.status_code == 200 and confirmed.json()["totp_enabled"] is True

    refused(await sign_in(registry, coordinator.email), 401, "totp_required", "totp_code")
    bad = await sign_in(registry, coordinator.email, totp_code=wrong_code)
    refused(bad, 401, "totp_invalid", "totp_code")
    code = pyotp.TOTP(secret).now()
    good = await sign_in(registry, coordinator.email, totp_code=code)
    assert good.status_code == 200 and good.json()["user"]["totp_enabled"] is True
    # a code signs in once: seen over a shoulder or in a log, it is spent
    again = await sign_in(registry, coordinator.email, totp_code=code)
    print("\nthe same code again:", again.status_code, again.json())
    refused(again, 401, "totp_invalid", "totp_code")
    following = pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30))
    assert (await sign_in(registry, coordinator.email, totp_code=following)).status_code == 200


async def test_a_viewer_sets_up_totp_though_it_changes_nothing_else(
    registry: httpx.AsyncClient,
) -> None:
    partner, coordinator = await organisation(registry, "Watchers Guild")
    viewer = await invited(registry, coordinator.headers, "watch@example.org", "viewer")
    assert (await registry.post("/users/me/totp", headers=viewer.headers)).status_code == 200
    change = await registry.patch(
        f"/partners/{partner['partner_id']}", headers=viewer.headers, json={"website": None}
    )
    refused(change, 403, "role_not_allowed", "authorization")


async def test_an_api_keys_token_is_no_person(registry: httpx.AsyncClient) -> None:
    refused(await registry.get("/auth/me", headers=await secretariat(registry)), 404,
            "user_not_found")  # fmt: skip
    # and a person signed in afresh is the same person
    _, coordinator = await organisation(registry, "Same Person Co")
    assert (await signed_in(registry, coordinator.email)).user_id == coordinator.user_id
