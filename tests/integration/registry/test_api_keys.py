"""A partner's extra API keys (issue 15): a reporting system's key, shown once and kept as its
hash, gets tokens that report progress and nothing else here; made with the step-up, listed
without secrets, deleted."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx
import jwt
import pytest
from pymongo import AsyncMongoClient

from tests.support.registry import bearer, token_for

from .people import invited, organisation, refused

pytestmark = pytest.mark.integration


async def test_a_reporting_key_is_shown_once_and_its_tokens_only_report(
    registry: httpx.AsyncClient, mongo_client: AsyncMongoClient[dict[str, Any]], db_name: str
) -> None:
    partner, coordinator = await organisation(registry, "Reporting Systems AG")
    pid = partner["partner_id"]
    url = f"/partners/{pid}/api-keys"
    made = await registry.post(
        url, headers=coordinator.headers, json={"label": "ERP export", "scope": "reporting"}
    )
    assert made.status_code == 201, made.text
    key = made.json()
    assert (key["label"], key["scope"]) == ("ERP export", "reporting")
    stored = await mongo_client[db_name]["api_keys"].find_one({"_id": key["key_id"]})
    assert stored is not None
    assert stored["key_hash"] == hashlib.sha256(key["api_key"].encode()).hexdigest()
    assert key["api_key"] not in json.dumps(stored, default=str)
    assert stored["created_by"] == coordinator.email

    listed = await registry.get(url, headers=coordinator.headers)
    assert listed.status_code == 200, listed.text
    assert [k["key_id"] for k in listed.json()["items"]] == [key["key_id"]]
    assert key["api_key"] not in listed.text

    token = await token_for(registry, key["api_key"])
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["scope"], claims["sub"], claims["partner_id"]) == (
        "reporting",
        key["key_id"],
        pid,
    )
    refused(await registry.get(f"/partners/{pid}", headers=bearer(token)), 403, "role_not_allowed")
    refused(await registry.get(url, headers=bearer(token)), 403, "role_not_allowed")

    gone = await registry.delete(f"{url}/{key['key_id']}", headers=coordinator.headers)
    assert gone.status_code == 204, gone.text
    after = await registry.post("/auth/token", json={"api_key": key["api_key"]})
    refused(after, 401, "invalid_credentials")
    again = await registry.delete(f"{url}/{key['key_id']}", headers=coordinator.headers)
    refused(again, 404, "api_key_not_found", "key_id")


async def test_making_a_key_needs_a_coordinator_or_the_full_key_with_the_step_up(
    registry: httpx.AsyncClient,
) -> None:
    partner, coordinator = await organisation(registry, "Key Makers SA")
    pid = partner["partner_id"]
    url = f"/partners/{pid}/api-keys"
    body = {"label": "CSV uploads", "scope": "reporting"}
    reporter = await invited(registry, coordinator.headers, "rep@keys.example", "reporter")
    refused(await registry.post(url, headers=reporter.headers, json=body), 403, "role_not_allowed")
    refused(await registry.get(url, headers=reporter.headers), 403, "role_not_allowed")
    machine = bearer(await token_for(registry, partner["api_key"]))
    refused(await registry.post(url, headers=machine, json=body), 403, "api_key_required")
    with_key = await registry.post(
        url, headers=machine | {"X-Api-Key": partner["api_key"]}, json=body
    )
    assert with_key.status_code == 201, with_key.text
    wrong_scope = await registry.post(
        url, headers=coordinator.headers, json={"label": "x", "scope": "full"}
    )
    assert wrong_scope.status_code == 422
