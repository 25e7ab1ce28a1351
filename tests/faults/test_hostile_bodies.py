"""Hostile request bodies against every endpoint that takes one, of every service: too large,
carrying fields a caller may not set, clearing fields that are required. Each is refused
with a documented 4xx in the platform's error shape, never a 5xx and never a 2xx."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from pact_common.dev_keys import DEV_ADMIN_API_KEY
from tests.security.services import SERVICES, Running, running
from tests.support import auth
from tests.support.registry import registration

pytestmark = [pytest.mark.integration, pytest.mark.faults]

#: Fields no body may set: state only the platform's own transitions change.
PRIVILEGED = {"status": "active", "role": "secretariat", "version": 99, "api_key_hash": "0" * 64}


@pytest.fixture(scope="module")
async def services(infrastructure: None) -> AsyncIterator[dict[str, Running]]:
    async with running(f"t{uuid.uuid4().hex[:10]}.") as started:
        yield started


def with_body(run: Running) -> list[tuple[str, str, set[str]]]:
    """(method, path with dummy ids, documented statuses) of every operation with a body."""
    found = []
    for path, operations in run.app.openapi()["paths"].items():
        for method, operation in operations.items():
            if "requestBody" in operation:
                concrete = path.replace("{", "x-").replace("}", "")
                found.append((method.upper(), concrete, set(operation["responses"])))
    return found


@pytest.mark.parametrize("service", [s.name for s in SERVICES])
async def test_oversized_bodies_get_a_documented_413(
    services: dict[str, Running], service: str
) -> None:
    run = services[service]
    oversized = b"[" + b"1," * (run.settings.max_body_bytes // 2) + b"1]"
    headers = auth.bearer(auth.token(auth.SECRETARIAT)) | {"content-type": "application/json"}
    for method, path, documented in with_body(run):
        response = await run.client.request(method, path, content=oversized, headers=headers)
        assert response.status_code == 413, (method, path, response.text)
        assert "413" in documented, f"{method} {path} does not document 413"
        assert response.json()["error"]["code"] == "too_large"


@pytest.mark.parametrize("service", [s.name for s in SERVICES])
async def test_no_body_sets_privileged_fields(services: dict[str, Running], service: str) -> None:
    """Mass assignment: a body made of status, role, version... is refused (422), not obeyed
    nor silently ignored, even from the secretariat."""
    run = services[service]
    # with the admin key too, which the registry asks for beside the token to withdraw
    headers = auth.bearer(auth.token(auth.SECRETARIAT)) | {"X-Api-Key": DEV_ADMIN_API_KEY}
    for method, path, documented in with_body(run):
        response = await run.client.request(method, path, json=PRIVILEGED, headers=headers)
        assert response.status_code in (404, 422), (method, path, response.text)
        assert str(response.status_code) in documented, (method, path)
        assert response.json()["error"]["code"], response.text


async def test_a_profile_change_cannot_clear_required_fields(
    services: dict[str, Running],
) -> None:
    registry = services["registry"].client
    admin = (await registry.post("/auth/token", json={"api_key": DEV_ADMIN_API_KEY})).json()
    headers = auth.bearer(admin["access_token"])
    body = registration(legal_name=f"Null Test {uuid.uuid4().hex[:6]}", vat=None)
    partner_id = (await registry.post("/partners", json=body)).json()["partner_id"]
    url = f"/partners/{partner_id}"
    for required in ("legal_name", "contact_name", "contact_email", "countries"):
        response = await registry.patch(url, json={required: None}, headers=headers)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["field"] == required
    step_up = {"X-Api-Key": DEV_ADMIN_API_KEY}  # a webhook URL changes with the current key
    cleared = await registry.patch(
        url, json={"website": None, "webhook_url": None}, headers=headers | step_up
    )
    assert cleared.status_code == 200, cleared.text
    after: dict[str, Any] = (await registry.get(url, headers=headers)).json()
    assert after["website"] is None and after["webhook_url"] is None  # not the text "None"
    assert after["legal_name"] == body["legal_name"]
