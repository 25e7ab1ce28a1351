"""The dashboard as a person uses it, in the portal (moved there from monitoring): registry,
commitments, monitoring and the portal run as processes; partners register, are approved,
pledge and report through `pactctl`; a secretariat admin signs in with their email and
password in headless Chromium (Debian's `chromium`, driven by Playwright) and sees the
figures, the charts and a firing alert, with partners' legal names, which then change live
as new reports arrive, the alert showing its current values beside its text at firing. A
partner's coordinator sees the partner's own page."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright, expect
from typer.testing import CliRunner

from pact_common.dev_keys import DEV_ADMIN_API_KEY
from pactctl.main import app as pactctl_app
from tests.support.kafka import BOOTSTRAP
from tests.support.portal_pages import PASSWORD, PortalStack
from tests.support.stack import OUTPUT

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
THIS_YEAR = date.today().year
LAST_YEAR = THIS_YEAR - 1
# Past its due date and the 30 days of grace on any day of the year (a fixed 31 December of
# last year was not missed yet from 1 to 30 January).
MISSED_MILESTONE = date.today() - timedelta(days=45)
HEADER = (
    "commitment_id,period,revision,people_trained,by_level_basic,by_level_intermediate,"
    "by_level_advanced,by_level_expert,by_gender_female,by_gender_male,by_gender_non_binary,"
    "by_gender_undisclosed,by_country,programmes_developed,investment_eur,people_reached"
)


class Stack(PortalStack):
    async def pactctl(self, *args: str, key: str | None) -> Any:
        """`pactctl --json ...` as a partner or the secretariat types it (in a thread: it
        runs its own event loop to send to Kafka)."""
        env = {
            "PACT_API_KEY": key,
            "PACT_REGISTRY_URL": self.registry.url,
            "PACT_COMMITMENTS_URL": self.commitments.url,
            "PACT_MONITORING_URL": self.monitoring.url,
            "PACT_TOPIC_NAMESPACE": self.namespace,
            "COLUMNS": "200",
        }
        result = await asyncio.to_thread(
            CliRunner().invoke, pactctl_app, ["--json", "--kafka", BOOTSTRAP, *args], env=env
        )
        assert result.exit_code == 0, f"pactctl {' '.join(args)}: {result.output}"
        return json.loads(result.stdout)


@pytest.fixture
async def stack(infrastructure: None) -> AsyncIterator[Stack]:
    s = Stack()
    try:
        await s.start()
        yield s
    finally:
        await s.stop()


def chromium_installed() -> None:
    """Not skipped without it: `make test` installs it."""
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: apt-get install -y chromium"


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    chromium_installed()
    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


async def enrol(s: Stack, name: str, country: str) -> dict[str, Any]:
    """Registered and approved with pactctl; its coordinator's account from the API key."""
    done = await s.pactctl(
        "register", "--legal-name", name, "--type", "training_provider", "--hq", country,
        "--contact-name", "Eva Weber", "--contact-email", "skills@academy.example",
        "--accept-charter", key=None,
    )  # fmt: skip
    await s.pactctl("partners", "approve", done["partner_id"], key=DEV_ADMIN_API_KEY)
    email = f"coordinator-{done['partner_id']}@academy.example"
    first = await s.http.post(
        f"{s.registry.url}/partners/{done['partner_id']}/users/first",
        headers={"X-Api-Key": done["api_key"]},
        json={"email": email, "name": "Eva Weber", "password": PASSWORD},
    )
    assert first.status_code == 201, first.text
    return dict(done) | {"email": email}


async def pledge(s: Stack, key: str, title: str, target: int, *extra: str) -> str:
    """Retried while commitments has not yet heard of the approval (over Kafka); returns
    once monitoring knows the pledge too."""
    args = (
        "commitments", "pledge", "--title", title, "--principle", "lifelong_learning",
        "--action-type", "upskilling", "--specialisation", "cloud", "--cadence", "quarterly",
        "--target", str(target), "--start", f"{LAST_YEAR}-01-01",
        "--deadline", f"{THIS_YEAR + 1}-12-31", *extra,
    )  # fmt: skip
    for _ in range(100):
        try:
            cid = str((await s.pactctl(*args, key=key))["commitment_id"])
            break
        except AssertionError as exc:
            if "unknown_partner" not in str(exc) and "partner_not_active" not in str(exc):
                raise
            await asyncio.sleep(0.2)
    else:
        raise AssertionError("commitments never heard of the partner's approval")
    for _ in range(100):  # monitoring hears of the approval and the pledge on its own
        try:  # consumers: until then it would refuse the reports (unknown_partner)
            await s.pactctl("progress", "show", cid, key=key)
            return cid
        except AssertionError:
            await asyncio.sleep(0.2)
    raise AssertionError("monitoring never heard of the pledge")


async def report(s: Stack, key: str, tmp: Path, *rows: str) -> None:
    sheet = tmp / f"{uuid.uuid4().hex}.csv"
    sheet.write_text("\n".join((HEADER, *rows)) + "\n")
    assert (await s.pactctl("progress", "import", str(sheet), key=key))["sent"] == len(rows)


async def partnership_trained(s: Stack, token: str, expected: int) -> None:
    """Wait until monitoring has applied every report (its API, as a script would)."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=s.monitoring.url, headers=headers) as http:
        for _ in range(300):
            got = (await http.get("/progress/partnerships/digital-ecosystem")).json()
            if got.get("people_trained") == expected:
                return
            await asyncio.sleep(0.1)
    raise AssertionError(f"monitoring did not reach {expected} people trained: {got}")


async def sign_in(page: Page, url: str, email: str) -> None:
    """The portal's sign-in form, as a person fills it in (then the dashboard opens)."""
    await page.goto(url)
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in", exact=True).click()


def figure(page: Page, label: str) -> Any:
    return page.locator("#key-figures li").filter(has_text=label).locator(".figure-value")


async def test_the_secretariat_follows_progress_live(
    stack: Stack, browser: Browser, tmp_path: Path
) -> None:
    s = stack
    admin = await s.pactctl("token", key=DEV_ADMIN_API_KEY)
    cloud = await enrol(s, "Nordic Cloud Academy", "FI")
    sme = await enrol(s, "Lusitania SME Digital", "PT")
    cloud_id = await pledge(
        s, cloud["api_key"], "Cloud skills for 2,000 engineers", 2000,
        "--level", "advanced", "--country", "FI,SE", "--milestone", f"{MISSED_MILESTONE}:800",
    )  # fmt: skip
    sme_id = await pledge(
        s, sme["api_key"], "Basic digital skills for 5,000 SME staff", 5000,
        "--level", "basic", "--country", "PT",
    )  # fmt: skip
    async with httpx.AsyncClient(base_url=s.commitments.url) as http:
        answer = await http.post(
            "/partnership-targets",
            headers={"Authorization": f"Bearer {admin['access_token']}"},
            json={
                "partnership_id": "digital-ecosystem",
                "title": "10,000 people trained in digital skills",
                "metric": "people_trained",
                "target_value": 10000,
                "start_date": f"{LAST_YEAR}-01-01",
                "deadline": f"{THIS_YEAR + 3}-12-31",
            },
        )
        assert answer.status_code == 201, answer.text
    # 300 + 200 trained by the cloud academy: its 800 milestone, due 45 days ago, is missed.
    await report(
        s, cloud["api_key"], tmp_path,
        f"{cloud_id},{LAST_YEAR}-Q3,1,300,,,300,,120,180,,,FI:200;SE:100,,,",
        f"{cloud_id},{LAST_YEAR}-Q4,1,200,,,200,,80,120,,,FI:200,,,",
    )  # fmt: skip
    await report(
        s, sme["api_key"], tmp_path, f"{sme_id},{LAST_YEAR}-Q4,1,1200,1200,,,,700,500,,,PT:1200,,,"
    )
    await partnership_trained(s, admin["access_token"], 1700)

    page = await browser.new_page(viewport={"width": 1440, "height": 900})
    elsewhere: list[str] = []  # the page works offline: nothing is fetched from anywhere else
    page.on(
        "request",
        lambda r: None if r.url.startswith(s.portal.url) else elsewhere.append(r.url),
    )
    await sign_in(page, f"{s.portal.url}/dashboard", await s.secretariat())

    await expect(
        page.get_by_role("heading", name="Progress toward the common targets")
    ).to_be_visible()
    await expect(figure(page, "People trained")).to_have_text("1,700")
    await expect(page.locator("#key-figures")).to_contain_text("17.0% of the common target: 10,000")
    chart = page.locator("#target-0")
    await expect(chart).to_have_attribute("role", "img")
    assert await chart.locator("polyline.progress").count() == 1
    points = await chart.locator("circle.dot").count()
    assert points == 2  # the partnership's cumulative progress at the end of Q3 and Q4
    firing = page.locator("#alerts-firing")
    await expect(firing.locator(".alert-item").filter(has_text="Milestone missed")).to_contain_text(
        "Cloud skills for 2,000 engineers"
    )
    rows = page.locator("#commitments-by-risk tbody tr")
    await expect(rows.first).to_contain_text("Cloud skills for 2,000 engineers")  # most at risk
    await expect(page.locator("#by-country")).to_contain_text("PT")
    # legal names, not partner ids; commitments told apart by their ids
    await expect(rows.first).to_contain_text("Nordic Cloud Academy")
    await expect(rows.first).to_contain_text(cloud_id)
    await expect(page.locator("#commitments-by-risk")).not_to_contain_text(cloud["partner_id"])
    [cookie] = await page.context.cookies()  # the portal's session: SameSite=Lax, as the
    assert (cookie["httpOnly"], cookie["sameSite"]) == (True, "Lax")  # OIDC return needs
    OUTPUT.mkdir(exist_ok=True)
    await page.screenshot(path=str(OUTPUT / "dashboard.png"), full_page=True)

    missed = firing.locator(".alert-item").filter(has_text="Milestone missed")

    # New reports while the page is open: the figures change without a reload, and the
    # still-missed milestone's alert shows what is reached now beside its text at firing.
    await report(
        s, sme["api_key"], tmp_path, f"{sme_id},{THIS_YEAR}-Q1,1,200,200,,,,100,100,,,PT:200,,,"
    )
    await report(
        s, cloud["api_key"], tmp_path,
        f"{cloud_id},{THIS_YEAR}-Q1,1,100,,,100,,40,60,,,FI:100,,,",
    )  # fmt: skip
    await expect(figure(page, "People trained")).to_have_text("2,000", timeout=20_000)
    await expect(missed.locator(".alert-current")).to_contain_text(
        "Now: Milestone of 800 people trained", timeout=20_000
    )
    await expect(missed.locator(".alert-current")).to_contain_text("missed: 600 reached (75")
    await expect(missed.locator(".alert-message")).not_to_contain_text("600")  # at firing
    this_year = page.locator("#annual-report tbody tr").filter(has_text=str(THIS_YEAR))
    await expect(this_year.locator("td").first).to_have_text("300")

    assert elsewhere == []

    # The cloud academy's own page: its commitment, not the other partner's.
    partner = await browser.new_page(viewport={"width": 1440, "height": 900})
    await sign_in(partner, f"{s.portal.url}/dashboard", cloud["email"])
    await expect(partner).to_have_url(re.compile(f"/dashboard/partners/{cloud['partner_id']}$"))
    await expect(partner.get_by_role("heading", name="Nordic Cloud Academy")).to_be_visible()
    await expect(figure(partner, "People trained")).to_have_text("600")
    await expect(partner.locator("#commitments-by-risk")).to_contain_text("Cloud skills")
    await expect(partner.locator("main")).not_to_contain_text("SME staff")
    await partner.screenshot(path=str(OUTPUT / "dashboard-partner.png"), full_page=True)
