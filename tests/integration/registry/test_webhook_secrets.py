"""A partner's webhook secret over HTTP: answered once when a webhook URL is registered or
set and when rotated, derived from the deployment key (so monitoring derives the same), only
its version on registry.partner-events.v1."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pact_common.dev_keys import DEV_ADMIN_API_KEY, DEV_WEBHOOK_KEY
from pact_common.webhook_secrets import key_of, partner_secret
from tests.support.kafka import read_events
from tests.support.registry import bearer, register, secretariat, token_for

from .test_lifecycle import topic

pytestmark = pytest.mark.integration


async def test_a_webhook_secret_is_answered_once_when_set_and_when_rotated(registry: Any) -> None:
    partner = await register(registry)
    pid = partner["partner_id"]
    first = partner["webhook_secret"]
    assert first == partner_secret(DEV_WEBHOOK_KEY, pid, 1) and len(key_of(first)) == 32
    me = bearer(await token_for(registry, partner["api_key"]))

    async def patch(**changes: Any) -> dict[str, Any]:
        step_up = {"X-Api-Key": partner["api_key"]} if "webhook_url" in changes else {}
        answer = await registry.patch(f"/partners/{pid}", headers=me | step_up, json=changes)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    assert (await patch(contact_name="Eva"))["webhook_secret"] is None
    moved = await patch(webhook_url="https://hooks.acme-cloud.example/v2")
    assert moved["webhook_secret"] == partner_secret(DEV_WEBHOOK_KEY, pid, 2)
    assert (moved["webhook_secret_version"], moved["webhook_previous_secret_until"]) == (2, None)

    rotate = f"/partners/{pid}/webhook-secret"
    before = datetime.now(UTC)
    mine = {"X-Api-Key": partner["api_key"]}
    assert (await registry.post(rotate, headers=me)).status_code == 403  # the key beside it
    rotated = await registry.post(rotate, headers=me | mine)
    assert rotated.status_code == 200, rotated.text
    body = rotated.json()
    assert body["webhook_secret"] == partner_secret(DEV_WEBHOOK_KEY, pid, 3)
    assert body["webhook_secret_version"] == 3
    until = datetime.fromisoformat(body["webhook_previous_secret_until"])
    assert before + timedelta(days=1) <= until <= datetime.now(UTC) + timedelta(days=1)
    admin = await secretariat(registry)
    admin_key = {"X-Api-Key": DEV_ADMIN_API_KEY}
    at_once = await registry.post(rotate, headers=admin | admin_key, json={"overlap_seconds": 0})
    assert (
        at_once.json()["webhook_secret_version"],
        at_once.json()["webhook_previous_secret_until"],
    ) == (4, None)
    too_long = await registry.post(rotate, headers=me | mine, json={"overlap_seconds": 8 * 86400})
    assert (too_long.status_code, too_long.json()["error"]["field"]) == (422, "overlap_seconds")

    other = await register(registry, legal_name="Other Org", vat=None)
    for approved in (pid, other["partner_id"]):  # a pending partner reads no other at all
        await registry.post(f"/partners/{approved}/approve", headers=admin, json={})
    theirs = bearer(await token_for(registry, other["api_key"]))
    theirs_key = {"X-Api-Key": other["api_key"]}
    assert (await registry.post(rotate, headers=theirs | theirs_key)).status_code == 403
    seen_by_other = (await registry.get(f"/partners/{pid}", headers=theirs)).json()
    assert seen_by_other["webhook_secret_version"] is None
    assert (await registry.get(f"/partners/{pid}", headers=me)).json()[
        "webhook_secret_version"
    ] == 4
    hookless = await register(registry, legal_name="No Hook Org", vat=None, webhook_url=...)
    assert hookless.get("webhook_secret") is None
    hooks = bearer(await token_for(registry, hookless["api_key"]))
    refused = await registry.post(
        f"/partners/{hookless['partner_id']}/webhook-secret",
        headers=hooks | {"X-Api-Key": hookless["api_key"]},
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "no_webhook_url")

    events = [
        e for e in await read_events(topic(registry), 6, settle=0.5) if e.get("partner_id") == pid
    ]
    versions = [
        (e["event_type"], e.get("changed_fields"), e["partner"]["webhook_secret_version"])
        for e in events
    ]
    assert versions == [
        ("PartnerRegistered", None, 1),
        ("PartnerUpdated", ["contact_name"], 1),
        ("PartnerUpdated", ["webhook_url"], 2),
        ("PartnerUpdated", ["webhook_secret"], 3),
        ("PartnerUpdated", ["webhook_secret"], 4),
        ("PartnerApproved", None, 4),  # to be seen by another partner
    ]
    assert events[3]["partner"]["webhook_previous_secret_until"] is not None
    assert "whsec_" not in json.dumps(events)
