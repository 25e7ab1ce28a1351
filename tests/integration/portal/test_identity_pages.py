"""The portal's identity pages against the real registry: organisation sign-up, sign-in and
its errors, CSRF, the language switch, invitations, the approval queue, two-step sign-in."""

from __future__ import annotations

import re
import uuid

import httpx
import pyotp
import pytest

from tests.support.registry import secretariat

from .conftest import PASSWORD, Stack, Visitor

pytestmark = pytest.mark.integration

PRINCIPLES = [
    "lifelong_learning",
    "skills_partnerships",
    "skills_intelligence",
    "equal_opportunities",
]


def sign_up_form(name: str, email: str, password: str = PASSWORD) -> list[tuple[str, str]]:
    return [
        ("legal_name", name),
        ("organisation_type", "sme"),
        ("size_class", "small"),
        ("hq_country", "FR"),
        ("countries", "FR"),
        ("countries", "BE"),
        ("name", "Camille Martin"),
        ("email", email),
        ("password", password),
        *(("principles", p) for p in PRINCIPLES),
    ]


async def signed_up(visitor: Visitor, name: str, email: str) -> str:
    await visitor.get("/sign-up")
    answer = await visitor.submit("/sign-up", sign_up_form(name, email))
    assert answer.status_code == 201, visitor.text()
    found = re.search(r'id="api-key">([^<]+)<', visitor.page)
    assert found
    return found.group(1)


async def test_sign_up_makes_a_pending_organisation_and_shows_its_key_once(
    stack: Stack, visitor: Visitor, registry: httpx.AsyncClient
) -> None:
    name = f"Atelier Numérique {uuid.uuid4().hex[:6]}"
    api_key = await signed_up(visitor, name, f"camille-{uuid.uuid4().hex[:6]}@atelier.example")
    assert "waits for the secretariat's approval" in visitor.text()
    assert visitor.page.count(api_key) == 1
    # The key is the organisation's: the registry answers it with a token for a pending partner
    token = await registry.post("/auth/token", json={"api_key": api_key})
    assert token.status_code == 200, token.text
    partner_id = token.json()["partner_id"]
    mine = await registry.get(
        f"/partners/{partner_id}",
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
    )
    assert (mine.json()["legal_name"], mine.json()["status"]) == (name, "pending")
    # The coordinator is signed in; the organisation page says it waits, and never the key again
    organisation = await visitor.get("/organisation")
    assert organisation.status_code == 200
    assert name in visitor.text() and "not approved the organisation yet" in visitor.text()
    assert api_key not in visitor.page


async def test_sign_up_refuses_a_charter_not_accepted_and_a_short_password(
    visitor: Visitor,
) -> None:
    await visitor.get("/sign-up")
    form = [
        (k, v)
        for k, v in sign_up_form("Half Hearted SA", "x@half.example", "short")
        if k != "principles"
    ]
    answer = await visitor.submit("/sign-up", form)
    assert answer.status_code == 422
    assert "Every principle of the charter must be accepted." in visitor.text()
    assert "The password must have 12 to 128 characters." in visitor.text()
    assert 'value="Half Hearted SA"' in visitor.page  # what was typed stays


async def test_a_wrong_password_shows_the_error(visitor: Visitor) -> None:
    await visitor.get("/sign-in")
    answer = await visitor.submit(
        "/sign-in", {"email": "nobody@portal.example", "password": "not the password at all"}
    )
    assert answer.status_code == 401
    assert "The email or the password is not right." in visitor.text()
    assert 'role="alert"' in visitor.page


async def test_a_form_without_its_csrf_token_is_refused(visitor: Visitor) -> None:
    await visitor.get("/sign-in")
    answer = await visitor.http.post(
        "/sign-in", data={"email": "a@portal.example", "password": "whatever it is"}
    )
    assert answer.status_code == 403
    forged = await visitor.http.post("/sign-in", data={"email": "a@b.example", "csrf_token": "x"})
    assert forged.status_code == 403


async def test_the_language_follows_the_browser_and_the_switch(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.portal.url, follow_redirects=True) as client:
        german = await client.get("/sign-in", headers={"Accept-Language": "de-AT, en;q=0.5"})
        assert '<html lang="de">' in german.text and "Anmelden" in german.text
        browser = Visitor(client)
        await browser.get("/sign-in")
        switched = await browser.submit("/lang", {"lang": "fr", "next": "/sign-in"})
        assert switched.url.path == "/sign-in"
        assert '<html lang="fr">' in browser.page
        assert "Se connecter" in browser.page and "Mot de passe" in browser.page


async def test_the_secretariat_approves_an_organisation_and_its_coordinator_invites(
    stack: Stack, visitor: Visitor, registry: httpx.AsyncClient
) -> None:
    suffix = uuid.uuid4().hex[:6]
    name = f"Union Digitale {suffix}"
    await signed_up(visitor, name, f"coord-{suffix}@union.example")
    # The secretariat's administrator, invited with the secretariat's key as make run does
    admin_email = f"admin-{suffix}@secretariat.example"
    made = await registry.post(
        "/invitations",
        headers=await secretariat(registry),
        json={"email": admin_email, "role": "admin", "partner_id": None},
    )
    assert made.status_code == 201, made.text
    async with httpx.AsyncClient(base_url=stack.portal.url, follow_redirects=True) as client:
        admin = Visitor(client)
        await admin.get(f"/invitations/{made.json()['token']}")
        assert admin_email in admin.text()
        await admin.submit(
            f"/invitations/{made.json()['token']}", {"name": "Ada Admin", "password": PASSWORD}
        )
        assert "Welcome, Ada Admin." in admin.text()
        await admin.get("/secretariat/approvals")
        assert name in admin.text()
        partner_id = re.search(rf'id="p-([^"]+)">{re.escape(name)}<', admin.page)
        assert partner_id
        await admin.submit(
            f"/secretariat/approvals/{partner_id.group(1)}", {"decision": "approve", "reason": ""}
        )
        assert f"{name} is approved." in admin.text()
        assert name not in admin.text().replace(f"{name} is approved.", "")
    # The coordinator invites a reporter, who accepts the link and signs in
    await visitor.get("/organisation/people")
    reporter_email = f"reporter-{suffix}@union.example"
    await visitor.submit(
        "/organisation/people/invite", {"email": reporter_email, "role": "reporter"}
    )
    link = re.search(r'id="invitation-link" type="text" readonly value="([^"]+)"', visitor.page)
    assert link and link.group(1).startswith(f"{stack.portal.url}/invitations/")
    async with httpx.AsyncClient(base_url=stack.portal.url, follow_redirects=True) as client:
        reporter = Visitor(client)
        await reporter.get(link.group(1))
        assert "Reporter" in reporter.text() and name in reporter.text()
        await reporter.submit(link.group(1), {"name": "Rita Reporter", "password": PASSWORD})
        assert "Welcome, Rita Reporter." in reporter.text()
        # a reporter is not offered the people page, and is refused it
        assert 'href="/organisation/people"' not in reporter.page
        refused = await reporter.get("/organisation/people")
        assert refused.status_code == 403
    people = await visitor.get("/organisation/people")
    assert people.status_code == 200 and "Rita Reporter" in visitor.text()


async def test_two_step_sign_in(stack: Stack, visitor: Visitor) -> None:
    email = f"totp-{uuid.uuid4().hex[:6]}@two.example"
    await signed_up(visitor, f"Two Step {uuid.uuid4().hex[:6]}", email)
    await visitor.get("/account")
    await visitor.submit("/account/totp", {})
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', visitor.page)
    assert secret and '<svg role="img"' in visitor.page
    wrong = await visitor.submit("/account/totp/confirm", {"code": "000000"})
    assert wrong.status_code == 422 and "This code is not right." in visitor.text()
    await visitor.submit("/account/totp/confirm", {"code": pyotp.TOTP(secret.group(1)).now()})
    assert "Two-step sign-in is on." in visitor.text()
    await visitor.submit("/sign-out", {})
    assert "You are signed out." in visitor.text()
    await visitor.get("/sign-in")
    asked = await visitor.submit("/sign-in", {"email": email, "password": PASSWORD})
    assert asked.url.path == "/sign-in/code"
    assert PASSWORD not in asked.headers.get("set-cookie", "")
    await visitor.submit("/sign-in/code", {"totp_code": pyotp.TOTP(secret.group(1)).now()})
    assert "Signed in as Camille Martin." in visitor.text()
