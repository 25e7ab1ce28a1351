"""Silences from the portal, in real Chromium on the real stack (the four services as
processes, the real mongod and Kafka): the secretariat's admin (invited through the
registry's API with the admin key) silences the overdue-report alerts with a comment, sees
the silence listed, and ends it; monitoring's API says the same at each step. axe-core runs
on every page visited."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.test_portal_journey import (
    PASSWORD,
    Stack,
    browser,
    person,
    sign_in,
    stack,
    submit,
    visit,
)

pytestmark = pytest.mark.e2e
__all__ = ["browser", "stack"]  # the journey's module-wide fixtures, shared


async def silences(s: Stack, token: str, state: str) -> list[dict[str, Any]]:
    async with s.client(s.monitoring, token) as http:
        answer = await http.get("/silences", params={"state": state})
        assert answer.status_code == 200, answer.text
        items: list[dict[str, Any]] = answer.json()["items"]
        return items


async def test_the_secretariat_creates_and_ends_a_silence_from_the_portal(
    stack: Stack, browser: Browser
) -> None:
    s, url = stack, stack.url
    email = f"ines-{uuid.uuid4().hex[:6]}@secretariat.example"
    invited = await s.invite(await s.admin_token(), email, "admin", None)
    async with s.client(s.registry) as http:
        body = {"name": "Inès Moreau", "password": PASSWORD}
        accepted = await http.post(f"/invitations/{invited}/accept", json=body)
        assert accepted.status_code == 201, accepted.text
    token = await s.password_token(email)
    context, page = await person(browser)
    await sign_in(page, url, email)
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Silences").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Silences")
    await expect(page.locator("main")).to_contain_text("No silence.")

    await submit(page, "Silence")  # no comment: refused on its field, nothing made
    await expect(page.locator("#f-comment-error")).to_contain_text("Say why")
    assert await silences(s, token, "active") == []
    await page.get_by_label("Rule").select_option(label="Report overdue")
    await page.get_by_label("Ends after").select_option("24")
    await page.get_by_label("Comment").fill("The national LMS export is being repaired")
    await submit(page, "Silence")
    row = page.locator("#silences tbody tr")
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text("Report overdue")
    await expect(row).to_contain_text("The national LMS export is being repaired")
    (active,) = await silences(s, token, "active")
    assert active["matchers"] == {"rule": "ReportingOverdue"}
    assert active["comment"] == "The national LMS export is being repaired"

    await submit(page, "End now")
    await expect(page.locator("main")).to_contain_text("The silence has ended")
    await expect(page.locator(f"#silence-{active['silence_id']}")).to_be_visible()
    assert await silences(s, token, "active") == []
    (expired,) = await silences(s, token, "expired")
    assert (expired["silence_id"], expired["state"]) == (active["silence_id"], "expired")
    await visit(page, f"{url}/silences?show=active")
    await expect(page.locator("main")).to_contain_text("No silence.")
    await context.close()
