"""A legal name and each legal identifier belong to one partner among the pending, active
and suspended ones (unique indexes over those only, so a race is caught too); a rejected or
withdrawn partner's are free again; the secretariat purges a rejected registration."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient, IndexModel
from pymongo.errors import DuplicateKeyError

from pact_common.dev_keys import DEV_ADMIN_API_KEY
from registry.adapters.repository import PARTNERS, ensure_indexes
from tests.support.registry import bearer, register, registration, secretariat, token_for

pytestmark = pytest.mark.integration


async def _move(registry: httpx.AsyncClient, partner_id: str, action: str) -> None:
    step_up = {"X-Api-Key": DEV_ADMIN_API_KEY} if action == "withdraw" else {}
    answer = await registry.post(
        f"/partners/{partner_id}/{action}",
        json={"reason": f"test: {action}"},
        headers=await secretariat(registry) | step_up,
    )
    assert answer.status_code == 200, answer.text


async def test_a_rejected_or_withdrawn_partners_name_and_vat_are_free_again(
    registry: httpx.AsyncClient,
) -> None:
    first = await register(registry)
    refused = await registry.post(
        "/partners", json=registration(legal_name="ACME Cloud Europe S.E.")
    )
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "duplicate_partner"
    await _move(registry, first["partner_id"], "reject")
    second = await register(registry)  # the same name and VAT number
    await _move(registry, second["partner_id"], "approve")
    await _move(registry, second["partner_id"], "suspend")
    assert (
        await registry.post("/partners", json=registration())
    ).status_code == 409  # suspended holds
    await _move(registry, second["partner_id"], "withdraw")
    third = await register(registry)
    assert len({first["partner_id"], second["partner_id"], third["partner_id"]}) == 3


async def test_the_indexes_hold_uniqueness_among_holders_only(
    registry: httpx.AsyncClient, mongo_client: AsyncMongoClient[dict[str, Any]], db_name: str
) -> None:
    partners = mongo_client[db_name][PARTNERS]
    held = {"name_key": "acme", "vat": "DE1", "status": "active", "api_key_hash": "h1"}
    await partners.insert_one({"_id": "p-1", **held})
    await partners.insert_one({"_id": "p-2", **held, "status": "rejected", "api_key_hash": "h2"})
    with pytest.raises(DuplicateKeyError):  # a race the registration's check did not see
        await partners.insert_one({"_id": "p-3", **held, "status": "pending", "api_key_hash": "h3"})


async def test_a_database_with_the_old_indexes_gets_the_new_ones(
    mongo_client: AsyncMongoClient[dict[str, Any]], db_name: str
) -> None:
    db = mongo_client[db_name]
    await db[PARTNERS].create_indexes(
        [IndexModel("name_key", unique=True), IndexModel("vat", unique=True, sparse=True)]
    )
    await ensure_indexes(db)
    names = set(await db[PARTNERS].index_information())
    assert {"name_key_held", "vat_held", "euid_held", "pic_held"} <= names
    assert not {"name_key_1", "vat_1"} & names
    await ensure_indexes(db)  # and again, as every start does


async def test_the_secretariat_purges_a_rejected_registration(
    registry: httpx.AsyncClient,
) -> None:
    admin = await secretariat(registry)
    rejected, pending = (
        await register(registry),
        await register(registry, legal_name="Other", vat=None),
    )
    own = bearer(await token_for(registry, pending["api_key"]))
    not_yet = await registry.post(
        f"/partners/{rejected['partner_id']}/purge", json={"reason": "Spam"}, headers=admin
    )
    assert not_yet.status_code == 409 and not_yet.json()["error"]["code"] == "illegal_transition"
    await _move(registry, rejected["partner_id"], "reject")
    for headers, status in ((own, 403), ({}, 401), (admin, 204)):
        answer = await registry.post(
            f"/partners/{rejected['partner_id']}/purge", json={"reason": "Spam"}, headers=headers
        )
        assert answer.status_code == status, answer.text
    gone = await registry.get(f"/partners/{rejected['partner_id']}", headers=admin)
    assert gone.status_code == 404
    listed = await registry.get("/partners", headers=admin)
    assert [p["id"] for p in listed.json()["items"]] == [pending["partner_id"]]
    again = await registry.post(
        f"/partners/{rejected['partner_id']}/purge", json={"reason": "Spam"}, headers=admin
    )
    assert again.status_code == 404
