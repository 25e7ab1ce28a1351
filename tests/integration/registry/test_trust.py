"""What a token alone may not do, and whom the registry answers (issue #13, "Trust"):
step-up with the current API key, tokens revoked by a key rotation or a suspension, and who
reads the directory."""

from __future__ import annotations

from typing import Any

import jwt
import pytest

from pact_common.dev_keys import DEV_ADMIN_API_KEY
from tests.support.kafka import read_events
from tests.support.registry import bearer, register, secretariat, token_for

from .test_lifecycle import topic

pytestmark = pytest.mark.integration

NEW_KEY = "GfOnzO+/PPTi5wEuSeI5KqoJ2yCu2iYwGdfcW7rXGBs="


async def _partner(registry: Any, name: str, *, approve: bool = True) -> dict[str, Any]:
    partner = await register(registry, legal_name=name, vat=None)
    if approve:
        admin = await secretariat(registry)
        done = await registry.post(
            f"/partners/{partner['partner_id']}/approve", headers=admin, json={}
        )
        assert done.status_code == 200, done.text
    partner["headers"] = bearer(await token_for(registry, partner["api_key"]))
    return partner


async def _transition(registry: Any, partner_id: str, action: str) -> None:
    step_up = {"X-Api-Key": DEV_ADMIN_API_KEY} if action == "withdraw" else {}
    done = await registry.post(
        f"/partners/{partner_id}/{action}",
        headers=await secretariat(registry) | step_up,
        json={"reason": f"trust test: {action}"},
    )
    assert done.status_code == 200, done.text


#: the four changes a stolen token must not make alone: (method, path under the partner, body)
STEP_UP = {
    "rotate the API key": ("POST", "/api-key", None),
    "set the webhook URL": ("PATCH", "", {"webhook_url": "https://hooks.acme.example/new"}),
    "set the signing key": ("PATCH", "", {"signing_public_key": NEW_KEY}),
    "withdraw": ("POST", "/withdraw", {"reason": "leaving"}),
    "rotate the webhook secret": ("POST", "/webhook-secret", None),
}


@pytest.mark.parametrize("change", list(STEP_UP))
@pytest.mark.parametrize("who", ["partner", "secretariat"])
async def test_five_changes_need_the_current_api_key_beside_the_token(
    registry: Any, change: str, who: str
) -> None:
    partner = await _partner(registry, f"Step Up {change} {who}")
    other = await _partner(registry, f"Someone Else {change} {who}")
    method, path, body = STEP_UP[change]
    url = f"/partners/{partner['partner_id']}{path}"
    if who == "partner":
        headers, current = partner["headers"], partner["api_key"]
    else:
        headers, current = await secretariat(registry), DEV_ADMIN_API_KEY
    wrong_keys = {
        "no key": {},
        "an empty key": {"X-Api-Key": ""},
        "another partner's key": {"X-Api-Key": other["api_key"]},
        "a made-up key": {"X-Api-Key": "pk_" + "x" * 43},
    }
    if who == "secretariat":
        wrong_keys["the partner's own key"] = {"X-Api-Key": partner["api_key"]}
    for what, key in wrong_keys.items():
        refused = await registry.request(method, url, headers=headers | key, json=body)
        assert refused.status_code == 403, (what, refused.text)
        assert refused.json()["error"]["code"] == "api_key_required", what
        assert refused.json()["error"]["field"] == "x-api-key", what
    unchanged = (await registry.get(f"/partners/{partner['partner_id']}", headers=headers)).json()
    assert unchanged["status"] == "active" and unchanged["signing_public_key"] is None
    assert unchanged["webhook_url"] == "https://hooks.acme-cloud.example/pact"
    assert await token_for(registry, partner["api_key"])  # the key still works

    done = await registry.request(method, url, headers=headers | {"X-Api-Key": current}, json=body)
    assert done.status_code == 200, done.text


async def test_other_changes_need_no_api_key(registry: Any) -> None:
    partner = await _partner(registry, "Plain Changes Org")
    pid = partner["partner_id"]
    me = partner["headers"]
    assert (
        await registry.patch(f"/partners/{pid}", headers=me, json={"contact_name": "Eva"})
    ).status_code == 200


async def test_a_key_rotation_revokes_every_token_issued_before(registry: Any) -> None:
    partner = await _partner(registry, "Rotating Org")
    pid = partner["partner_id"]
    old_token = partner["headers"]
    claims = jwt.decode(old_token["Authorization"][7:], options={"verify_signature": False})
    assert claims["credential_version"] == 1
    rotated = await registry.post(
        f"/partners/{pid}/api-key", headers=old_token | {"X-Api-Key": partner["api_key"]}
    )
    assert rotated.status_code == 200, rotated.text

    for method, path in (("GET", f"/partners/{pid}"), ("GET", "/partners")):
        refused = await registry.request(method, path, headers=old_token)
        assert refused.status_code == 401, refused.text
        assert refused.json()["error"]["code"] == "token_revoked"
    new_token = await token_for(registry, rotated.json()["api_key"])
    assert jwt.decode(new_token, options={"verify_signature": False})["credential_version"] == 2
    assert (await registry.get(f"/partners/{pid}", headers=bearer(new_token))).status_code == 200

    events = [
        e for e in await read_events(topic(registry), 3, settle=0.5) if e.get("partner_id") == pid
    ]
    assert [(e["event_type"], e["partner"]["credential_version"]) for e in events] == [
        ("PartnerRegistered", 1),
        ("PartnerApproved", 1),
        ("PartnerUpdated", 2),
    ]
    assert events[-1]["changed_fields"] == ["credential_version"]
    assert rotated.json()["api_key"] not in str(events)


async def test_suspended_and_withdrawn_partners_are_refused_and_reinstated_ones_sign_in_again(
    registry: Any,
) -> None:
    suspended = await _partner(registry, "Suspended Org")
    withdrawn = await _partner(registry, "Withdrawn Org")
    await _transition(registry, suspended["partner_id"], "suspend")
    await _transition(registry, withdrawn["partner_id"], "withdraw")
    for partner, status in ((suspended, "suspended"), (withdrawn, "withdrawn")):
        own = await registry.get(f"/partners/{partner['partner_id']}", headers=partner["headers"])
        assert own.status_code == 403, own.text
        assert own.json()["error"] == {
            "code": "partner_not_allowed",
            "message": f"partner {partner['partner_id']} is {status}",
            "field": "authorization",
        }
        no_token = await registry.post("/auth/token", json={"api_key": partner["api_key"]})
        assert no_token.status_code == 403 and status in no_token.json()["error"]["message"]

    await _transition(registry, suspended["partner_id"], "reinstate")
    old = await registry.get(f"/partners/{suspended['partner_id']}", headers=suspended["headers"])
    assert old.status_code == 401 and old.json()["error"]["code"] == "token_revoked"
    fresh = bearer(await token_for(registry, suspended["api_key"]))
    assert (await registry.get("/partners", headers=fresh)).status_code == 200


async def test_pending_partners_read_their_own_registration_only(registry: Any) -> None:
    active = await _partner(registry, "Active Reader Org")
    pending = await _partner(registry, "Pending Reader Org", approve=False)
    pid, me = pending["partner_id"], pending["headers"]
    assert (await registry.get(f"/partners/{pid}", headers=me)).status_code == 200
    assert (await registry.get(f"/partners/{pid}/history", headers=me)).status_code == 200
    for path in ("/partners", f"/partners/{active['partner_id']}"):
        refused = await registry.get(path, headers=me)
        assert refused.status_code == 403, (path, refused.text)
        assert refused.json()["error"]["code"] == "partner_not_allowed"
        assert "its own registration only" in refused.json()["error"]["message"]


async def test_the_directory_shows_other_partners_only_while_they_are_active(
    registry: Any,
) -> None:
    reader = await _partner(registry, "Directory Reader Org")
    shown = await _partner(registry, "Shown Active Org")
    hidden = {
        "pending": await _partner(registry, "Hidden Pending Org", approve=False),
        "suspended": await _partner(registry, "Hidden Suspended Org"),
        "withdrawn": await _partner(registry, "Hidden Withdrawn Org"),
    }
    await _transition(registry, hidden["suspended"]["partner_id"], "suspend")
    await _transition(registry, hidden["withdrawn"]["partner_id"], "withdraw")
    admin = await secretariat(registry)

    async def listed(headers: dict[str, str], **params: Any) -> dict[str, str]:
        page = await registry.get("/partners", headers=headers, params={"limit": 200, **params})
        assert page.status_code == 200, page.text
        assert page.json()["total"] == len(page.json()["items"])
        return {p["id"]: p["status"] for p in page.json()["items"]}

    seen = await listed(reader["headers"])
    assert set(seen) == {reader["partner_id"], shown["partner_id"]}
    everyone = await listed(admin)
    assert {p["partner_id"] for p in hidden.values()} <= set(everyone)
    for status, partner in hidden.items():
        assert everyone[partner["partner_id"]] == status
        assert await listed(reader["headers"], status=status) == {}
        one = await registry.get(f"/partners/{partner['partner_id']}", headers=reader["headers"])
        assert one.status_code == 404, (status, one.text)
        assert (
            await registry.get(f"/partners/{partner['partner_id']}", headers=admin)
        ).status_code == 200
    other = await registry.get(f"/partners/{shown['partner_id']}", headers=reader["headers"])
    assert other.status_code == 200 and other.json()["legal_name"] == "Shown Active Org"
    assert other.json()["contact_email"] is None
