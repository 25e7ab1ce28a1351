"""The portal's identity pages in real Chromium, checked by axe-core as a person meets them:
sign-in (and its error), sign-up (and its errors, and the key shown once), an invitation,
the account and its two-step set-up, the organisation, its people, the secretariat's
approvals, an error page, and the same in French and German. No serious or critical
violation; the skip link leads to the content and every field is reached by its label."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.integration.portal.conftest import PASSWORD, Stack, running
from tests.support.registry import secretariat

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="module")
async def stack(infrastructure: None) -> AsyncIterator[Stack]:
    async with running(Stack(f"t{uuid.uuid4().hex[:10]}.")) as s:
        yield s


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        chromium = await p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        yield chromium
        await chromium.close()


async def audited(page: Page, where: str) -> None:
    results = await Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
    details = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in bad]
    assert not bad, f"axe on {where}: {details}"
    assert await page.locator("h1").count() == 1, where


async def test_the_identity_pages_are_accessible(stack: Stack, browser: Browser) -> None:
    portal = stack.portal.url
    context = await browser.new_context(locale="en-GB")
    page = await context.new_page()
    await page.goto(f"{portal}/sign-in")
    await audited(page, "sign-in")
    await page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    await expect(skip).to_be_focused()
    await page.get_by_label("Email").fill("nobody@portal.example")
    await page.get_by_label("Password").fill("not the right password")
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page.get_by_role("alert")).to_contain_text("not right")
    await audited(page, "sign-in refused")
    # sign-up with errors, then for real
    await page.goto(f"{portal}/sign-up")
    await audited(page, "sign-up")
    await page.get_by_role("button", name="Register").click()
    await expect(page.locator(".error-summary")).to_be_visible()
    await audited(page, "sign-up with errors")
    suffix = uuid.uuid4().hex[:6]
    name = f"Accessible Skills {suffix}"
    await page.get_by_label("Legal name").fill(name)
    await page.get_by_label("Kind of organisation").select_option("university")
    await page.get_by_label("Country of the headquarters").select_option("DE")
    for principle in (
        "lifelong learning",
        "skills partnerships",
        "supply and demand",
        "discrimination",
    ):
        await page.get_by_label(re.compile(principle)).check()
    await page.get_by_label("Your name").fill("Uma Universität")
    await page.get_by_label("Your email").fill(f"uma-{suffix}@uni.example")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Register").click()
    await expect(page.locator("#api-key")).to_be_visible()
    await audited(page, "signed up")
    await page.goto(f"{portal}/organisation")
    await audited(page, "organisation")
    await page.goto(f"{portal}/organisation/people")
    await audited(page, "people")
    await page.get_by_label("Email").fill(f"vera-{suffix}@uni.example")
    await page.get_by_label("Role").select_option("viewer")
    await page.get_by_role("button", name="Invite", exact=True).click()
    link = await page.get_by_label("Invitation link", exact=True).input_value()
    await audited(page, "people with an invitation link")
    await page.goto(f"{portal}/account")
    await audited(page, "account")
    await page.get_by_role("button", name="Set up two-step sign-in").click()
    await expect(page.locator("#totp-secret")).to_be_visible()
    await audited(page, "two-step set-up")
    await page.goto(f"{portal}/no/such/page")
    await audited(page, "not found")
    # the invitation, in a browser of its own, in French
    other = await browser.new_context(locale="fr-FR")
    invited = await other.new_page()
    await invited.goto(link)
    await expect(invited.locator("html")).to_have_attribute("lang", "fr")
    await audited(invited, "invitation (fr)")
    await invited.goto(f"{portal}/sign-up")
    await audited(invited, "sign-up (fr)")
    await other.close()
    # the secretariat's approvals, in German
    async with httpx.AsyncClient(base_url=stack.registry.url) as registry:
        made = await registry.post(
            "/invitations",
            headers=await secretariat(registry),
            json={"email": f"admin-{suffix}@secretariat.example", "role": "officer"},
        )
        assert made.status_code == 201, made.text
    german = await browser.new_context(locale="de-DE")
    officer = await german.new_page()
    await officer.goto(f"{portal}/invitations/{made.json()['token']}")
    await officer.get_by_label("Ihr Name").fill("Otto Officer")
    await officer.get_by_label("Wählen Sie ein Passwort").fill(PASSWORD)
    await officer.get_by_role("button", name="Mein Konto anlegen").click()
    await officer.goto(f"{portal}/secretariat/approvals")
    await expect(officer.get_by_role("heading", name=name)).to_be_visible()
    await audited(officer, "approvals (de)")
    await german.close()
    await context.close()
