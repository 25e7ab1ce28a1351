"""The portal as people use it, in real Chromium on the real stack (registry, commitments,
monitoring and the portal as processes, the real mongod and Kafka, a real OpenID Connect
provider): the whole journey of issue 15's "Done when".

An organisation signs up; the secretariat's admin (invited through the registry's API with
the admin key, accepting in the portal) approves it; its coordinator invites a reporter and a
viewer; the reporter pledges a commitment with a milestone already due, uploads a sheet with
one bad row (shown by line and field, nothing sent: monitoring's API says so), uploads the
fixed sheet, sees the progress and the missed milestone's alert, acknowledges it. The viewer
is offered no pledge and the API refuses one; another organisation's coordinator cannot open
the first one's commitment. A person invited signs in through the OIDC provider's own login
form; a person who turns TOTP on is asked for the code at the next sign-in.

axe-core runs on every page visited: no serious or critical violation."""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect
from pymongo import AsyncMongoClient

from pact_common.dev_keys import DEV_ADMIN_API_KEY
from tests.conftest import MONGO_URL
from tests.e2e.test_dashboard import CHROMIUM, CHROMIUM_ARGS, chromium_installed
from tests.security.services import pledge_body
from tests.security.test_secrets import leaks
from tests.support.oidc_provider import OidcProvider, OidcUser
from tests.support.stack import OUTPUT, ROOT, ServiceProcess

pytestmark = pytest.mark.e2e

#: the README's screenshots: test-output/ on every run, docs/ when asked to refresh them
#: (PORTAL_SCREENSHOTS=docs), so that a test run leaves the work tree as it found it
SCREENSHOTS = ROOT / "docs" if os.environ.get("PORTAL_SCREENSHOTS") == "docs" else OUTPUT
THIS_YEAR = date.today().year
LAST_YEAR = THIS_YEAR - 1
# Past its due date and the 30 days of grace on any day of the year: the milestone is missed.
MISSED_MILESTONE = date.today() - timedelta(days=45)
PASSWORD = "correct horse battery staple"
SERIOUS = ("serious", "critical")
VIEWPORT = {"width": 1280, "height": 900}


class Stack:
    """The platform's four services and an OIDC provider the registry and the portal trust."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.oidc = OidcProvider(
            [
                OidcUser(username="olga", email="olga@nordic-cloud.example", name="Olga Berg"),
                OidcUser(username="nils", email="nils@nowhere.example", name="Nils Holm"),
            ],
            client_id="pact-portal",
        )
        oidc = {"OIDC_ISSUER": self.oidc.issuer, "OIDC_CLIENT_ID": self.oidc.client_id}
        self.registry = ServiceProcess(
            "registry", namespace, {f"REGISTRY_{k}": v for k, v in oidc.items()}
        )
        self.commitments = ServiceProcess("commitments", namespace)
        self.monitoring = ServiceProcess("monitoring", namespace)
        self.portal = ServiceProcess("portal", namespace)
        self.portal.env.update(
            {f"PORTAL_{k}": v for k, v in oidc.items()}
            | {
                "PORTAL_OIDC_CLIENT_SECRET": self.oidc.client_secret,
                "PORTAL_REGISTRY_URL": self.registry.url,
                "PORTAL_COMMITMENTS_URL": self.commitments.url,
                "PORTAL_MONITORING_URL": self.monitoring.url,
                "PORTAL_PUBLIC_URL": self.portal.url,
            }
        )
        self.apis = (self.registry, self.commitments, self.monitoring)
        self.url = self.portal.url

    def client(self, service: ServiceProcess, token: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(base_url=service.url, headers=headers, timeout=15.0)

    async def admin_token(self) -> str:
        async with self.client(self.registry) as http:
            answer = await http.post("/auth/token", json={"api_key": DEV_ADMIN_API_KEY})
            assert answer.status_code == 200, answer.text
            return str(answer.json()["access_token"])

    async def password_token(self, email: str, password: str = PASSWORD) -> str:
        """The person's own token, as the portal holds it (to ask the APIs what they hold)."""
        async with self.client(self.registry) as http:
            answer = await http.post("/auth/password", json={"email": email, "password": password})
            assert answer.status_code == 200, answer.text
            return str(answer.json()["access_token"])

    async def invite(self, token: str, email: str, role: str, partner_id: str | None) -> str:
        async with self.client(self.registry, token) as http:
            body = {"email": email, "role": role, "partner_id": partner_id}
            answer = await http.post("/invitations", json=body)
            assert answer.status_code == 201, answer.text
            return str(answer.json()["token"])


@pytest.fixture(scope="module")
async def stack(infrastructure: None) -> AsyncIterator[Stack]:
    s = Stack(f"t{uuid.uuid4().hex[:10]}.")
    try:
        await s.oidc.start()
        await asyncio.gather(*(service.start() for service in s.apis))
        await s.portal.start()
        yield s
    finally:
        s.portal.stop()
        for service in s.apis:
            service.stop()
        s.oidc.stop()
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO_URL)
        for service in s.apis:
            await client.drop_database(service.database)
        await client.close()


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    chromium_installed()
    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


# --- what every page must pass -----------------------------------------------------------------

#: every page axe looked at, and what it found serious or critical there
AUDITED: dict[str, list[str]] = {}


async def accessible(page: Page) -> None:
    """axe-core on the page as it stands: no serious or critical violation."""
    results = await Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
    where = re.sub(r"^https?://[^/]+", "", page.url)
    AUDITED[where] = [v["id"] for v in bad]
    for v in bad:
        targets = [" ".join(map(str, n.get("target", []))) for n in v["nodes"]][:5]
        print(f"axe on {where}: {v['impact']} {v['id']}: {v['help']} at {targets}")
    assert not bad, f"axe: serious or critical violations on {where}: {[v['id'] for v in bad]}"


async def visit(page: Page, url: str, *, status: int | tuple[int, ...] = 200) -> None:
    answer = await page.goto(url)
    assert answer is not None
    expected = (status,) if isinstance(status, int) else status
    assert answer.status in expected, f"{url}: {answer.status}"
    await accessible(page)


async def submit(page: Page, button: str, *, audit: bool = True) -> None:
    """Press the form's button and wait for the page it leads to (then axe it)."""
    async with page.expect_navigation():
        await page.get_by_role("button", name=button, exact=True).click()
    if audit:
        await accessible(page)


async def person(browser: Browser) -> tuple[BrowserContext, Page]:
    context = await browser.new_context(viewport=VIEWPORT)
    return context, await context.new_page()


async def sign_in(page: Page, url: str, email: str, password: str = PASSWORD) -> None:
    await visit(page, f"{url}/sign-in")
    await page.get_by_label("Email", exact=True).fill(email)
    await page.get_by_label("Password", exact=True).fill(password)
    await submit(page, "Sign in")


async def sign_out(page: Page) -> None:
    await submit(page, "Sign out")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


async def accept_invitation(page: Page, url: str, token: str, name: str) -> None:
    await visit(page, f"{url}/invitations/{token}")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Accept the invitation")
    await page.get_by_label("Your name").fill(name)
    await page.get_by_label("Choose a password").fill(PASSWORD)
    await submit(page, "Create my account")
    await expect(page.get_by_role("banner")).to_contain_text(name)  # signed in


async def until(check: Callable[[], Awaitable[Any]], what: str, timeout: float = 30.0) -> Any:
    """Polls `check` until it returns something truthy (events travel over Kafka)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if got := await check():
            return got
        await asyncio.sleep(0.2)
    raise AssertionError(f"never: {what}")


def sheet(tmp: Path, name: str, header: str, *rows: str) -> Path:
    path = tmp / name
    path.write_text("\n".join((header, *rows)) + "\n")
    return path


HEADER = "commitment_id,period,revision,people_trained,by_gender_female,by_gender_male"


# --- the journey -------------------------------------------------------------------------------


PRINCIPLES = (
    "Promoting a culture of lifelong learning for all",
    "Building strong skills partnerships",
    "Monitoring skills supply and demand and anticipating skills needs",
    "Working against discrimination and for gender equality and equal opportunities",
)


async def sign_up(page: Page, url: str, legal_name: str, coordinator: str, email: str) -> None:
    """An organisation registers in the portal, its coordinator with it (signed in)."""
    await visit(page, f"{url}/sign-up")
    await page.get_by_label("Legal name").fill(legal_name)
    await page.get_by_label("Kind of organisation").select_option("training_provider")
    await page.get_by_label("Country of the headquarters").select_option("FI")
    for principle in PRINCIPLES:
        await page.get_by_label(principle).check()
    await page.get_by_label("Your name").fill(coordinator)
    await page.get_by_label("Your email").fill(email)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await submit(page, "Register")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Registration received")
    await expect(page.locator("#api-key")).to_contain_text("pk_")  # shown once
    await expect(page.get_by_role("banner")).to_contain_text(coordinator)


async def approve(page: Page, url: str, legal_name: str) -> None:
    """The secretariat approves a registration from its queue."""
    await visit(page, f"{url}/secretariat/approvals")
    queued = page.get_by_role("region", name=legal_name)
    await expect(queued).to_contain_text("Training provider")
    await submit(page, f"Approve {legal_name}")
    await expect(page.get_by_role("region", name=legal_name)).to_have_count(0)


async def invitation_link(page: Page, url: str, email: str, role: str) -> str:
    """The coordinator invites a colleague; the page shows the link to send them."""
    await visit(page, f"{url}/organisation/people")
    await page.get_by_label("Email", exact=True).fill(email)
    await page.get_by_label("Role", exact=True).select_option(role)
    await submit(page, "Invite")
    link = await page.get_by_role("textbox", name="Invitation link").input_value()
    assert link.startswith(f"{url}/invitations/"), link
    return link.rsplit("/", 1)[1]


async def progress_of(s: Stack, token: str, commitment_id: str) -> dict[str, Any]:
    async with s.client(s.monitoring, token) as http:
        answer = await http.get(f"/progress/commitments/{commitment_id}")
        return dict(answer.json()) if answer.status_code == 200 else {}


async def rejections_of(s: Stack, token: str) -> list[Any]:
    async with s.client(s.monitoring, token) as http:
        answer = await http.get("/progress/rejections")
        assert answer.status_code == 200, answer.text
        return list(answer.json()["items"])


async def heard_of(s: Stack, token: str) -> bool:
    """Commitments and monitoring have heard of the partner's approval (over Kafka)."""
    async with s.client(s.commitments, token) as c, s.client(s.monitoring, token) as m:
        # a pending partner reads its own commitments, not the targets: 200 here only once
        # commitments has heard of the approval
        return (await c.get("/partnership-targets")).status_code == 200 and (
            await m.get("/alerts")
        ).status_code == 200


async def pledge(page: Page, url: str, title: str) -> str:
    """A commitment whose first milestone, 800 trained, was due 45 days ago."""
    await visit(page, f"{url}/commitments/new")
    await page.get_by_label("Title").fill(title)
    await page.get_by_label("Pact principle").select_option("lifelong_learning")
    await page.get_by_label("Type of action").select_option("upskilling")
    await page.get_by_label("Cloud", exact=True).check()
    await page.get_by_label("Advanced", exact=True).check()
    await page.get_by_label("FI", exact=True).check()
    await page.get_by_label("Target value").fill("2000")
    await page.get_by_label("Start date").fill(f"{LAST_YEAR}-01-01")
    await page.get_by_label("Deadline").fill(f"{THIS_YEAR + 1}-12-31")
    await page.get_by_label("Reporting cadence").select_option("quarterly")
    await page.get_by_label("Milestone 1: due on").fill(MISSED_MILESTONE.isoformat())
    await page.get_by_label("Milestone 1: value by then").fill("800")
    await submit(page, "Pledge")
    await expect(page.get_by_role("heading", level=1)).to_have_text(title)
    found = re.search(r"/commitments/([^/?#]+)$", page.url)
    assert found, page.url
    return found.group(1)


async def upload(page: Page, path: Path) -> None:
    await page.get_by_label("Progress sheet (CSV)").set_input_files(path)
    await submit(page, "Check the file")


async def test_an_organisation_from_sign_up_to_an_acknowledged_alert(
    stack: Stack, browser: Browser, tmp_path: Path
) -> None:
    s, url = stack, stack.url
    admin_email, coordinator_email = "ines@secretariat.example", "eva@nordic-cloud.example"
    reporter_email, viewer_email = "rui@nordic-cloud.example", "vera@nordic-cloud.example"
    title = "Cloud skills for 2,000 engineers"

    # The secretariat's admin: invited with the admin key, accepting in the portal.
    invited = await s.invite(await s.admin_token(), admin_email, "admin", None)
    secretariat, sec = await person(browser)
    await accept_invitation(sec, url, invited, "Inès Moreau")

    # An organisation signs up; the secretariat approves it.
    coordinator, coord = await person(browser)
    await sign_up(coord, url, "Nordic Cloud Academy", "Eva Weber", coordinator_email)
    await approve(sec, url, "Nordic Cloud Academy")

    # Its coordinator invites a reporter and a viewer.
    coordinator_token = await s.password_token(coordinator_email)
    await until(lambda: heard_of(s, coordinator_token), "the services heard of the approval")
    reporter_invitation = await invitation_link(coord, url, reporter_email, "reporter")
    viewer_invitation = await invitation_link(coord, url, viewer_email, "viewer")
    await expect(coord.get_by_role("table")).to_contain_text("Eva Weber")

    # The reporter accepts and pledges a commitment whose first milestone is already due.
    reporting, rep = await person(browser)
    await accept_invitation(rep, url, reporter_invitation, "Rui Costa")
    commitment_id = await pledge(rep, url, title)
    reporter_token = await s.password_token(reporter_email)
    await until(lambda: progress_of(s, reporter_token, commitment_id), "monitoring knows it")

    # A sheet with one bad row: every problem by line and field, and nothing sent.
    await visit(rep, f"{url}/upload")
    bad = sheet(
        tmp_path, "progress.csv", HEADER,
        f"{commitment_id},{LAST_YEAR}-Q3,1,300,120,180",
        f"{commitment_id},{LAST_YEAR}-Q4,1,200,80,100",  # 80 + 100 is not 200
    )  # fmt: skip
    await upload(rep, bad)
    problems = rep.get_by_role("table").filter(has_text="by_gender")
    await expect(problems.get_by_role("row")).to_have_count(2)  # the header, one problem
    problem = problems.get_by_role("row").filter(has_text="by_gender")
    await expect(problem.get_by_role("rowheader")).to_have_text("3")  # the header is line 1
    await expect(problem).to_contain_text("sum to 180, but people_trained is 200")
    await expect(rep.get_by_role("button", name=re.compile("^Send"))).to_have_count(0)
    await asyncio.sleep(1.0)  # were anything sent, monitoring would have it by now
    assert (await progress_of(s, reporter_token, commitment_id))["periods"] == []
    assert await rejections_of(s, reporter_token) == []

    # The fixed sheet: a preview, then sent.
    fixed = sheet(
        tmp_path, "progress-fixed.csv", HEADER,
        f"{commitment_id},{LAST_YEAR}-Q3,1,300,120,180",
        f"{commitment_id},{LAST_YEAR}-Q4,1,200,80,120",
    )  # fmt: skip
    await upload(rep, fixed)
    await expect(rep.get_by_role("heading", name="Check before sending")).to_be_visible()
    await submit(rep, "Send 2 reports")
    await expect(rep.get_by_role("status")).to_contain_text("2 reports sent")

    async def applied() -> bool:
        return (await progress_of(s, reporter_token, commitment_id)).get("achieved") == 500

    await until(applied, "monitoring applied both reports")

    # The progress on the commitment's page, and the missed milestone's alert.
    await visit(rep, f"{url}/commitments/{commitment_id}")
    await expect(rep.locator("#progress-summary")).to_contain_text("500 of 2,000 reached")
    await expect(rep.get_by_role("table", name=re.compile("Reported periods"))).to_contain_text(
        f"{LAST_YEAR}-Q4"
    )
    await rep.screenshot(path=str(SCREENSHOTS / "portal-partner.png"))  # the README's partner view
    await visit(rep, f"{url}/alerts")
    alert = rep.get_by_role("listitem").filter(
        has=rep.get_by_role("heading", name=re.compile("^Milestone missed"))
    )
    await expect(alert).to_contain_text(commitment_id)
    await alert.get_by_label("Note").fill("Q1 courses start next week")
    async with rep.expect_navigation():
        await alert.get_by_role("button", name="Acknowledge").click()
    await accessible(rep)
    await expect(rep.locator("main")).to_contain_text("Q1 courses start next week")
    async with s.client(s.monitoring, reporter_token) as http:
        acked = (await http.get("/alerts", params={"acknowledged": "true"})).json()["items"]
    assert [a["rule"] for a in acked] == ["MilestoneMissed"]

    # The viewer is not offered to pledge, and the API refuses it anyway.
    viewing, view = await person(browser)
    await accept_invitation(view, url, viewer_invitation, "Vera Lind")
    await visit(view, f"{url}/commitments")
    await expect(view.get_by_role("link", name=title)).to_be_visible()
    # (the menu's "Calls for pledges" is everyone's to read: only a way to pledge counts)
    await expect(view.get_by_role("link", name=re.compile(r"^pledge", re.I))).to_have_count(0)
    await expect(view.get_by_role("button", name=re.compile(r"^pledge", re.I))).to_have_count(0)
    await expect(view.locator("a[href='/commitments/new']")).to_have_count(0)
    viewer_token = await s.password_token(viewer_email)
    async with s.client(s.commitments, viewer_token) as http:
        refused = await http.post("/commitments", json=pledge_body())
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "role_not_allowed", refused.text

    # Another organisation cannot see the first one's commitment.
    other, oth = await person(browser)
    await sign_up(oth, url, "Lusitania SME Digital", "João Silva", "joao@lusitania.example")
    await approve(sec, url, "Lusitania SME Digital")
    joao_token = await s.password_token("joao@lusitania.example")
    await until(lambda: heard_of(s, joao_token), "the services heard of Lusitania's approval")
    await visit(oth, f"{url}/commitments/{commitment_id}", status=(403, 404))
    await expect(oth.get_by_role("heading", level=1)).to_have_text(
        re.compile("Not found|Not allowed")
    )
    await expect(oth.locator("main")).not_to_contain_text(title)
    for page in ("/commitments", "/alerts"):  # nor list it, nor its alerts
        await visit(oth, f"{url}{page}")
        await expect(oth.locator("main")).not_to_contain_text(commitment_id)

    # The secretariat's dashboard: legal names, the figures, the alert (the README's view).
    await sec.goto(f"{url}/dashboard")
    await expect(sec.locator("main")).to_contain_text("Nordic Cloud Academy")
    await sec.screenshot(path=str(SCREENSHOTS / "portal-secretariat.png"), full_page=True)
    await accessible(sec)

    for context in (secretariat, coordinator, reporting, viewing, other):
        await context.close()
    print("pages audited by axe:", sorted(AUDITED))


# --- signing in through the OIDC provider, and with a second factor -----------------------------


async def test_an_invited_person_signs_in_through_the_oidc_provider(
    stack: Stack, browser: Browser
) -> None:
    s, url = stack, stack.url
    invited = await s.invite(await s.admin_token(), "olga@nordic-cloud.example", "officer", None)
    async with s.client(s.registry) as http:
        body = {"name": "Olga Berg", "password": PASSWORD}
        accepted = await http.post(f"/invitations/{invited}/accept", json=body)
        assert accepted.status_code == 201, accepted.text
    context, page = await person(browser)
    await visit(page, f"{url}/sign-in")
    async with page.expect_navigation(url=re.compile(f"^{re.escape(s.oidc.url)}/authorize")):
        await page.get_by_role("link", name="Sign in with EU Login").click()
    await expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    await accessible(page)
    await page.get_by_label("Username").fill("olga")
    async with page.expect_navigation(url=f"{url}/dashboard"):
        await page.get_by_role("button", name="Sign in").click()
    await accessible(page)
    await expect(page.get_by_role("banner")).to_contain_text("Olga Berg")
    await visit(page, f"{url}/secretariat/approvals")  # an officer's page
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Organisations waiting for approval"
    )
    await context.close()

    # Someone the provider knows but no one invited: refused, with what to do.
    context, page = await person(browser)
    await visit(page, f"{url}/sign-in")
    await page.get_by_role("link", name="Sign in with EU Login").click()
    await page.get_by_label("Username").fill("nils")
    async with page.expect_navigation(url=re.compile(f"^{re.escape(url)}")):
        await page.get_by_role("button", name="Sign in").click()
    await accessible(page)
    await expect(page.locator("main")).to_contain_text("ask your coordinator for an invitation")
    await expect(page.get_by_role("banner")).not_to_contain_text("Nils")
    await context.close()


async def test_a_person_turns_totp_on_and_is_asked_for_the_code(
    stack: Stack, browser: Browser
) -> None:
    s, url = stack, stack.url
    email = "tove@secretariat.example"
    invited = await s.invite(await s.admin_token(), email, "officer", None)
    context, page = await person(browser)
    await accept_invitation(page, url, invited, "Tove Nilsson")
    await visit(page, f"{url}/account")
    await submit(page, "Set up two-step sign-in")
    await expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = (await page.locator("#totp-secret").text_content() or "").replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    totp = pyotp.TOTP(secret)
    await page.get_by_label("Code from the app").fill(totp.now())
    await submit(page, "Turn on")
    await expect(page.locator("#totp-status")).to_contain_text("On:")
    await sign_out(page)

    await sign_in(page, url, email)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    # The password waits in the session for the code: sealed, never in clear in the cookie.
    cookies = " ".join(c["value"] for c in await context.cookies())
    assert leaks(cookies, {"password": PASSWORD}) == []
    wrong = f"{(int(totp.now()) + 1) % 1_000_000:06d}"
    await page.get_by_label("Code", exact=True).fill(wrong)
    await submit(page, "Sign in")
    await expect(page.locator("main")).to_contain_text("This code is not right")
    await expect(page.get_by_role("banner")).not_to_contain_text("Tove Nilsson")
    await page.get_by_label("Code", exact=True).fill(totp.now())
    await submit(page, "Sign in")
    await expect(page.get_by_role("banner")).to_contain_text("Tove Nilsson")
    await context.close()
