"""Who manages whom among people (issue 15): a coordinator its organisation's people, an admin
anyone; never an organisation without an active coordinator; a disabled account's or a changed
role's tokens revoked; step-up by a recent sign-in; the audit trail names the person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from pact_common.auth import Principal, Role
from pact_common.dev_keys import DEV_ADMIN_API_KEY
from pact_common.permissions import UserRole
from tests.support import auth
from tests.support.registry import bearer, secretariat

from .people import Person, invited, organisation, refused, sign_in, signed_in

pytestmark = pytest.mark.integration


async def test_a_coordinator_invites_its_own_organisation_and_only_partner_roles(
    registry: httpx.AsyncClient,
) -> None:
    partner, coordinator = await organisation(registry, "Own Org Only")
    other, _ = await organisation(registry, "Another Org")
    reporter = await invited(registry, coordinator.headers, "rep@own.example", "reporter")
    assert reporter.claims["user_role"] == "reporter"
    assert reporter.partner_id == partner["partner_id"]

    async def ask(who: Person, **body: str | None) -> httpx.Response:
        return await registry.post("/invitations", headers=who.headers, json=body)

    elsewhere = await ask(coordinator, email="x@y.example", role="viewer",
                          partner_id=other["partner_id"])  # fmt: skip
    refused(elsewhere, 403, "forbidden", "partner_id")
    admin = await ask(coordinator, email="x@y.example", role="admin")
    refused(admin, 403, "role_not_allowed", "authorization")
    by_reporter = await ask(reporter, email="x@y.example", role="viewer")
    refused(by_reporter, 403, "role_not_allowed", "authorization")
    assert "a reporter may not invite colleagues" in by_reporter.json()["error"]["message"]


async def test_the_secretariat_invites_its_admins_and_an_admins_actions_name_the_admin(
    registry: httpx.AsyncClient,
) -> None:
    key = await secretariat(registry)
    admin = await invited(registry, key, "ada@secretariat.example", "admin")
    assert admin.claims["role"] == "secretariat" and admin.claims["user_role"] == "admin"
    assert admin.partner_id is None
    officer = await invited(registry, admin.headers, "otto@secretariat.example", "officer")
    by_officer = await registry.post(
        "/invitations", headers=officer.headers, json={"email": "z@s.example", "role": "officer"}
    )
    refused(by_officer, 403, "role_not_allowed")
    partner, _ = await organisation(registry, "Audited Org", approve=False)
    pid = partner["partner_id"]
    approved = await registry.post(f"/partners/{pid}/approve", headers=officer.headers, json={})
    assert approved.status_code == 200, approved.text
    # an admin invites to any organisation
    await invited(registry, admin.headers, "view@audited.example", "viewer", pid)
    history = await registry.get(f"/partners/{pid}/history", headers=admin.headers)
    assert [e["actor"] for e in history.json()][-1] == "otto@secretariat.example"
    everyone = await registry.get("/users", headers=admin.headers)
    emails = {u["email"] for u in everyone.json()["items"]}
    assert {"ada@secretariat.example", "view@audited.example"} <= emails


async def test_an_organisation_keeps_an_active_coordinator(registry: httpx.AsyncClient) -> None:
    partner, coordinator = await organisation(registry, "Last One Standing")
    alone = await registry.patch(
        f"/users/{coordinator.user_id}", headers=coordinator.headers, json={"role": "viewer"}
    )
    refused(alone, 409, "last_coordinator", "role")
    off = await registry.patch(
        f"/users/{coordinator.user_id}", headers=coordinator.headers, json={"status": "disabled"}
    )
    refused(off, 409, "last_coordinator", "status")
    second = await invited(registry, coordinator.headers, "two@last.example", "reporter")
    promoted = await registry.patch(
        f"/users/{second.user_id}", headers=coordinator.headers, json={"role": "coordinator"}
    )
    assert promoted.status_code == 200 and promoted.json()["role"] == "coordinator"
    # the promoted one's old token said reporter: revoked
    stale = await registry.get("/auth/me", headers=second.headers)
    refused(stale, 401, "token_revoked")
    second = await signed_in(registry, second.email)
    demoted = await registry.patch(
        f"/users/{coordinator.user_id}", headers=second.headers, json={"status": "disabled"}
    )
    assert demoted.status_code == 200 and demoted.json()["status"] == "disabled"
    refused(await sign_in(registry, coordinator.email), 401, "invalid_credentials")
    refused(await registry.get("/auth/me", headers=coordinator.headers), 401, "token_revoked")
    listed = await registry.get("/users", headers=second.headers)
    assert {u["user_id"]: u["status"] for u in listed.json()["items"]} == {
        coordinator.user_id: "disabled",
        second.user_id: "active",
    }
    other, _ = await organisation(registry, "Nosy Neighbour")
    peek = await registry.get(
        "/users", params={"partner_id": other["partner_id"]}, headers=second.headers
    )
    refused(peek, 403, "forbidden", "partner_id")
    assert partner["partner_id"] != other["partner_id"]


async def test_a_recent_sign_in_stands_for_the_api_key_for_a_coordinator_only(
    registry: httpx.AsyncClient,
) -> None:
    partner, coordinator = await organisation(registry, "Step Up People")
    pid = partner["partner_id"]
    rotated = await registry.post(f"/partners/{pid}/api-key", headers=coordinator.headers)
    assert rotated.status_code == 200, rotated.text
    # the rotation revoked its people's tokens too: a new one
    refused(await registry.get("/auth/me", headers=coordinator.headers), 401, "token_revoked")
    coordinator = await signed_in(registry, coordinator.email)
    reporter = await invited(registry, coordinator.headers, "rep@stepup.example", "reporter")
    refused(
        await registry.post(f"/partners/{pid}/api-key", headers=reporter.headers),
        403,
        "role_not_allowed",
    )
    refused(
        await registry.patch(f"/partners/{pid}", headers=reporter.headers, json={"website": None}),
        403,
        "role_not_allowed",
    )
    old_sign_in = Principal(
        coordinator.user_id, Role.PARTNER, pid, coordinator.claims["credential_version"],
        user_role=UserRole.COORDINATOR, email=coordinator.email,
        auth_time=int((datetime.now(UTC) - timedelta(minutes=6)).timestamp()),
    )  # fmt: skip
    stale = bearer(auth.token(old_sign_in))
    refused(
        await registry.post(f"/partners/{pid}/api-key", headers=stale),
        403,
        "api_key_required",
    )
    with_key = await registry.post(
        f"/partners/{pid}/api-key", headers=stale | {"X-Api-Key": rotated.json()["api_key"]}
    )
    assert with_key.status_code == 200, with_key.text


async def test_a_suspended_partners_people_are_refused_like_its_keys(
    registry: httpx.AsyncClient,
) -> None:
    partner, coordinator = await organisation(registry, "Suspended People")
    pid = partner["partner_id"]
    done = await registry.post(
        f"/partners/{pid}/suspend",
        headers=await secretariat(registry),
        json={"reason": "test: suspended"},
    )
    assert done.status_code == 200, done.text
    refused(await sign_in(registry, coordinator.email), 403, "partner_not_allowed")
    refused(await registry.get("/auth/me", headers=coordinator.headers), 403, "partner_not_allowed")


async def test_the_admin_key_withdraws_with_the_key_and_an_admin_with_a_fresh_sign_in(
    registry: httpx.AsyncClient,
) -> None:
    admin = await invited(registry, await secretariat(registry), "boss@sec.example", "admin")
    partner, _ = await organisation(registry, "Leaving Soon")
    gone = await registry.post(
        f"/partners/{partner['partner_id']}/withdraw",
        headers=admin.headers,
        json={"reason": "test: leaving"},
    )
    assert gone.status_code == 200, gone.text
    other, _ = await organisation(registry, "Leaving Later")
    by_key = await registry.post(
        f"/partners/{other['partner_id']}/withdraw",
        headers=await secretariat(registry) | {"X-Api-Key": DEV_ADMIN_API_KEY},
        json={"reason": "test: leaving"},
    )
    assert by_key.status_code == 200, by_key.text
