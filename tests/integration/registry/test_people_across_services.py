"""People's roles on the running platform (issue 15): the three services as processes, the
tokens the registry signs for people and for a reporting key, and each service enforcing
the one permissions table on them."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from pact_common.dev_keys import DEV_ADMIN_API_KEY
from tests.conftest import MONGO_URL
from tests.security.services import pledge_body
from tests.support.registry import bearer, registration
from tests.support.stack import ServiceProcess

pytestmark = pytest.mark.integration

PASSWORD = "a long enough password for people"
NAMES = ("registry", "commitments", "monitoring")


@pytest.fixture
async def platform(infrastructure: None) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    namespace = f"t{uuid.uuid4().hex[:10]}."
    processes = {name: ServiceProcess(name, namespace) for name in NAMES}
    clients: dict[str, httpx.AsyncClient] = {}
    try:
        await asyncio.gather(*(p.start() for p in processes.values()))
        for name, process in processes.items():
            clients[name] = httpx.AsyncClient(base_url=process.url, timeout=10.0)
        yield clients
    finally:
        for client in clients.values():
            await client.aclose()
        for process in processes.values():
            process.stop()
        mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO_URL)
        for process in processes.values():
            await mongo.drop_database(process.database)
        await mongo.close()


async def _until(ask: Callable[[], Awaitable[httpx.Response]], status: int) -> httpx.Response:
    """Ask again until the answer has `status` (a read model catching up through Kafka)."""
    for _ in range(150):
        answer = await ask()
        if answer.status_code == status:
            return answer
        await asyncio.sleep(0.2)
    return answer


def _refused(answer: httpx.Response) -> None:
    assert answer.status_code == 403, answer.text
    assert answer.json()["error"]["code"] == "role_not_allowed", answer.text


async def test_each_service_holds_people_and_keys_to_their_role(
    platform: dict[str, httpx.AsyncClient],
) -> None:
    registry, commitments, monitoring = (platform[n] for n in NAMES)
    admin = await registry.post("/auth/token", json={"api_key": DEV_ADMIN_API_KEY})
    secretariat = bearer(admin.json()["access_token"])
    body = registration(legal_name=f"Roles Everywhere {uuid.uuid4().hex[:6]}", vat=None)
    partner = (await registry.post("/partners", json=body)).json()
    pid = partner["partner_id"]
    assert (
        await registry.post(f"/partners/{pid}/approve", headers=secretariat, json={})
    ).is_success
    first = await registry.post(
        f"/partners/{pid}/users/first",
        headers={"X-Api-Key": partner["api_key"]},
        json={"email": "coco@roles.example", "name": "Coco", "password": PASSWORD},
    )
    assert first.status_code == 201, first.text

    async def sign_in(email: str) -> dict[str, str]:
        answer = await registry.post("/auth/password", json={"email": email, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        return bearer(answer.json()["access_token"])

    coordinator = await sign_in("coco@roles.example")
    people = {}
    for role in ("reporter", "viewer"):
        email = f"{role}@roles.example"
        made = await registry.post(
            "/invitations", headers=coordinator, json={"email": email, "role": role}
        )
        accepted = await registry.post(
            f"/invitations/{made.json()['token']}/accept",
            json={"name": role.title(), "password": PASSWORD},
        )
        assert accepted.status_code == 201, accepted.text
        people[role] = await sign_in(email)

    # commitments: a viewer reads, a reporter pledges and is named in the history
    # a pending partner's people read its commitments, not the targets: these answer once
    # commitments has heard of the approval
    heard = await _until(
        lambda: commitments.get("/partnership-targets", headers=people["viewer"]), 200
    )
    assert heard.status_code == 200, heard.text
    listed = await commitments.get("/commitments", headers=people["viewer"])
    assert listed.status_code == 200, listed.text
    _refused(await commitments.post("/commitments", json=pledge_body(), headers=people["viewer"]))
    pledged = await commitments.post("/commitments", json=pledge_body(), headers=people["reporter"])
    assert pledged.status_code == 201, pledged.text
    cid = pledged.json()["commitment_id"]
    detail = await commitments.get(f"/commitments/{cid}", headers=coordinator)
    assert [h["actor"] for h in detail.json()["history"]] == ["reporter@roles.example"]

    # a reporting key: its token reports progress on monitoring, and reads nothing else
    made = await registry.post(
        f"/partners/{pid}/api-keys",
        headers=coordinator,
        json={"label": "ERP", "scope": "reporting"},
    )
    assert made.status_code == 201, made.text
    issued = await registry.post("/auth/token", json={"api_key": made.json()["api_key"]})
    key = bearer(issued.json()["access_token"])
    known = await _until(
        lambda: monitoring.get(f"/progress/commitments/{cid}", headers=coordinator), 200
    )
    assert known.status_code == 200, known.text
    report = {"partner_id": pid, "commitment_id": cid, "period": "2026-Q4", "people_trained": 5}
    _refused(await monitoring.post("/progress", json=report, headers=people["viewer"]))
    sent = await monitoring.post("/progress", json=report, headers=key)
    assert sent.status_code == 202, sent.text
    assert (await monitoring.get("/progress/rejections", headers=key)).status_code == 200
    _refused(await commitments.get("/commitments", headers=key))
    _refused(await monitoring.get("/alerts", headers=key))
    _refused(await registry.get(f"/partners/{pid}", headers=key))
