"""Duplicates, credentials and tokens, and every kind of bad input: a clear 4xx naming the
field and the rule, with nothing stored and no event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pact_common.auth import Principal, Role, TokenIssuer, TokenVerifier
from pact_common.dev_keys import DEV_JWT_PRIVATE_KEY, DEV_JWT_PUBLIC_KEY
from pact_common.errors import Unauthorized
from pact_contracts import PARTNER_EVENTS
from tests.support.kafka import read_events
from tests.support.registry import bearer, register, registration, secretariat, token_for

pytestmark = pytest.mark.integration


async def partner_count(registry: Any, mongo_client: Any) -> int:
    return int(await mongo_client[registry.settings.mongo_db]["partners"].count_documents({}))


async def test_duplicates_answer_409_naming_the_existing_partner(registry: Any) -> None:
    first = (await register(registry))["partner_id"]
    same_vat = await registry.post("/partners", json=registration(legal_name="Other Name GmbH"))
    assert same_vat.status_code == 409
    error = same_vat.json()["error"]
    assert error["code"] == "duplicate_partner" and error["field"] == "vat"
    assert first in error["message"]
    same_name = await registry.post(
        "/partners", json=registration(legal_name="  ACME cloud europe S.E. ", vat=None)
    )
    assert same_name.status_code == 409 and first in same_name.json()["error"]["message"]
    assert same_name.json()["error"]["field"] == "legal_name"
    other_country = await registry.post(
        "/partners", json=registration(vat=None, hq_country="FR", countries=["FR"])
    )
    assert other_country.status_code == 201


async def test_key_rotation_stops_the_old_key(registry: Any) -> None:
    partner = await register(registry)
    token = await token_for(registry, partner["api_key"])
    rotated = await registry.post(
        f"/partners/{partner['partner_id']}/api-key",
        headers=bearer(token) | {"X-Api-Key": partner["api_key"]},
    )
    assert rotated.status_code == 200
    new_key = rotated.json()["api_key"]
    assert new_key != partner["api_key"]
    old = await registry.post("/auth/token", json={"api_key": partner["api_key"]})
    assert old.status_code == 401 and old.json()["error"]["code"] == "invalid_credentials"
    assert await token_for(registry, new_key)


async def test_tokens_are_eddsa_signed_and_verified_offline(registry: Any) -> None:
    partner = await register(registry)
    answer = (await registry.post("/auth/token", json={"api_key": partner["api_key"]})).json()
    assert answer["role"] == "partner" and answer["expires_in"] == 900
    claims = jwt.decode(
        answer["access_token"],
        DEV_JWT_PUBLIC_KEY,
        algorithms=["EdDSA"],
        audience="pact-platform",
        issuer="pact-registry",
    )
    assert claims["partner_id"] == partner["partner_id"] and claims["role"] == "partner"
    assert claims["exp"] - claims["iat"] == 900
    verifier = TokenVerifier(DEV_JWT_PUBLIC_KEY, "pact-registry", "pact-platform")
    assert verifier.verify(answer["access_token"]).partner_id == partner["partner_id"]
    published = (await registry.get("/auth/public-key")).json()["public_key_pem"]
    assert published == DEV_JWT_PUBLIC_KEY

    other_key = (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    forged = TokenIssuer(other_key, "pact-registry", "pact-platform", timedelta(minutes=5))
    expired = TokenIssuer(
        DEV_JWT_PRIVATE_KEY, "pact-registry", "pact-platform", timedelta(minutes=5)
    )
    admin_principal = Principal("secretariat", Role.SECRETARIAT)
    bad_tokens = {
        "bad signature": forged.issue(admin_principal),
        "expired": expired.issue(admin_principal, now=datetime.now(UTC) - timedelta(hours=1)),
        "garbage": "not.a.token",
    }
    for what, token in bad_tokens.items():
        response = await registry.get("/partners", headers=bearer(token))
        assert response.status_code == 401, what
        assert response.json()["error"]["field"] == "authorization"
    with pytest.raises(Unauthorized, match="expired"):
        verifier.verify(bad_tokens["expired"])
    assert (await registry.get("/partners")).status_code == 401
    wrong = await registry.post("/auth/token", json={"api_key": "pk_wrong-key-entirely"})
    assert wrong.status_code == 401


async def test_partners_may_not_act_on_others_or_as_the_secretariat(registry: Any) -> None:
    a = await register(registry)
    b = await register(
        registry,
        legal_name="Beta Telecom",
        vat="PL1234567890",
        hq_country="PL",
        countries=["PL", "RO"],
    )
    admin = await secretariat(registry)
    for approved in (a, b):  # a pending partner reads no other partner at all
        await registry.post(f"/partners/{approved['partner_id']}/approve", headers=admin, json={})
    a_token = bearer(await token_for(registry, a["api_key"]))
    b_id = b["partner_id"]
    assert (
        await registry.patch(f"/partners/{b_id}", headers=a_token, json={"contact_name": "Mallory"})
    ).status_code == 403
    with_own_key = a_token | {"X-Api-Key": a["api_key"]}
    assert (
        await registry.post(f"/partners/{b_id}/api-key", headers=with_own_key)
    ).status_code == 403
    assert (await registry.get(f"/partners/{b_id}/history", headers=a_token)).status_code == 403
    approve_self = await registry.post(
        f"/partners/{a['partner_id']}/approve", headers=a_token, json={}
    )
    assert approve_self.status_code == 403
    assert (
        await registry.post(
            "/partnerships",
            headers=a_token,
            json={"id": "x-partnership", "name": "X", "ecosystem": "digital"},
        )
    ).status_code == 403
    other_view = (await registry.get(f"/partners/{b_id}", headers=a_token)).json()
    assert other_view["contact_email"] is None and other_view["legal_name"] == "Beta Telecom"


async def test_withdrawn_partners_get_no_token(registry: Any) -> None:
    partner = await register(registry)
    token = bearer(await token_for(registry, partner["api_key"]))
    withdrawn = await registry.post(
        f"/partners/{partner['partner_id']}/withdraw",
        headers=token | {"X-Api-Key": partner["api_key"]},
        json={"reason": "leaving the Pact"},
    )
    assert withdrawn.status_code == 200, withdrawn.text
    refused = await registry.post("/auth/token", json={"api_key": partner["api_key"]})
    assert refused.status_code == 403 and "withdrawn" in refused.json()["error"]["message"]
    still = await registry.get("/partners", headers=token)  # the old token: refused too
    assert still.status_code == 403


BAD_REGISTRATIONS = [
    (
        {
            "principles": {
                "lifelong_learning": True,
                "skills_partnerships": True,
                "skills_intelligence": True,
                "equal_opportunities": False,
            }
        },
        "principles.equal_opportunities",
        "must be accepted",
    ),
    ({"principles": {"lifelong_learning": True}}, "principles.skills_partnerships", "required"),
    (  # `true` only, as the schema's `const: true` says: not 1, not "true"
        {"principles": registration()["principles"] | {"lifelong_learning": 1}},
        "principles.lifelong_learning",
        "valid boolean",
    ),
    ({"contact_email": "skills@acme.test"}, "contact_email", "special-use"),
    ({"legal_name": "\u0085 "}, "legal_name", "pattern"),  # white space only
    ({"hq_country": "US"}, "hq_country", "Input should be"),
    ({"hq_country": "EL"}, "hq_country", "Input should be"),
    ({"countries": ["DE", "XX"]}, "countries.1", "Input should be"),
    ({"organisation_type": "startup"}, "organisation_type", "Input should be"),
    ({"size_class": None}, "size_class", "required for organisation_type company"),
    ({"organisation_type": "university"}, "size_class", "companies and SMEs only"),
    ({"organisation_type": "sme"}, "size_class", "not large"),
    ({"contact_email": "not-an-email"}, "contact_email", "email"),
    ({"legal_name": ""}, "legal_name", "at least 1 character"),
    ({"legal_name": ...}, "legal_name", "Field required"),
    ({"vat": "123"}, "vat", "pattern"),
    ({"pic": "12"}, "pic", "pattern"),
    ({"webhook_url": "ftp://hooks.example"}, "webhook_url", "URL scheme"),
    ({"signing_public_key": "not-a-key"}, "signing_public_key", "pattern"),
    ({"partnerships": ["no-such-partnership"]}, "partnerships", "no partnership"),
    ({"status": "active"}, "status", "Extra inputs"),
]


@pytest.mark.parametrize(
    ("changes", "field", "rule"), BAD_REGISTRATIONS, ids=[f for _, f, _ in BAD_REGISTRATIONS]
)
async def test_bad_registrations_name_the_field_and_store_nothing(
    registry: Any, mongo_client: Any, changes: dict[str, Any], field: str, rule: str
) -> None:
    response = await registry.post("/partners", json=registration(**changes))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == field, error
    assert rule in error["message"], error
    assert await partner_count(registry, mongo_client) == 0


async def test_malformed_and_oversized_bodies_store_nothing_and_emit_nothing(
    registry: Any, mongo_client: Any
) -> None:
    not_json = await registry.post(
        "/partners", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 422
    huge = registration(legal_name="x" * 150)
    huge["padding"] = "y" * 300_000
    too_big = await registry.post("/partners", json=huge)
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "too_large"
    assert await partner_count(registry, mongo_client) == 0
    events = await read_events(registry.settings.topic(PARTNER_EVENTS), 1, settle=1.0)
    assert [e["event_type"] for e in events] == ["PartnershipCreated"]  # the seed only
