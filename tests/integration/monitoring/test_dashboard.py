"""The dashboard's pages on a running monitoring service: who may see which page (a token in
a cookie or a header; the public local demo), and what each page shows."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from monitoring.bootstrap import build_app
from monitoring.config import Settings
from monitoring.views.adapters.dashboard_views import DashboardViews
from monitoring.views.entrypoints.dashboard import COOKIE, Dashboard, DashboardSettings
from pact_common.clock import utc_now
from pact_contracts import PartnershipTarget, PartnershipTargetSet
from tests.support import auth
from tests.support.kafka import wait_until
from tests.support.runtime import settings_for_test

from .conftest import Monitoring, report

pytestmark = pytest.mark.integration
OTHER_TITLE = "Basic digital skills for 50,000 SME employees"


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def use_dashboard(m: Monitoring, **settings: Any) -> Dashboard:
    app = m.http._transport.app  # type: ignore[attr-defined]
    d = Dashboard(DashboardSettings(**settings), DashboardViews(m.db), m.clock)
    app.state.dashboard = d
    return d


@pytest.fixture
async def pages(namespace: str, db_name: str) -> AsyncIterator[httpx.AsyncClient]:
    """The service's HTTP side alone (no consumers): for what needs no progress."""
    app = build_app(settings_for_test(Settings, namespace, db_name))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://monitoring"
    ) as http:
        yield http
    await app.state.runtime.mongo.close()


async def scenario(m: Monitoring) -> None:
    """Two partners with a commitment each, a common target, reports: 1,500 + 700 trained."""
    await m.partner("p-acme")
    await m.partner("p-other")
    await m.commitment("c-cloud")  # p-acme: 20,000 by 2027-12-31, milestone 8,000 by 2026-12-31
    await m.commitment(
        "c-sme", partner_id="p-other", title=OTHER_TITLE, countries=["PT"], levels=["basic"]
    )
    target = PartnershipTarget(
        partnership_id="digital-ecosystem",
        title="1 million people trained by 2030",
        metric="people_trained",
        target_value=1_000_000,
        start_date="2025-01-01",
        deadline="2030-12-31",
    )
    await m.send(PartnershipTargetSet(target_id="t-million", target_version=1, target=target))
    for partner_id in ("p-acme", "p-other"):  # a report from a partner not yet known is refused
        await m.wait_for_partner(partner_id)
    for commitment_id in ("c-cloud", "c-sme"):
        await m.wait_for_commitment(commitment_id)
    await m.send(
        report(
            "2026-Q1",
            1500,
            by_level={"advanced": 1500},
            by_country={"DE": 1000, "FR": 500},
            by_gender={"female": 600, "male": 900},
        )
    )
    await m.send(report("2026-Q1", 700, partner_id="p-other", commitment_id="c-sme"))
    for commitment_id, value in (("c-cloud", 1500), ("c-sme", 700)):
        await wait_until(
            lambda c=commitment_id, v=value: m.db["commitments"].find_one({"_id": c, "achieved": v})
        )
    await wait_until(lambda: m.db["targets"].find_one({"_id": "t-million"}))


def bearer(principal: auth.Principal) -> dict[str, str]:
    return {"Authorization": f"Bearer {auth.token(principal)}"}


def text(html: str) -> str:
    """The page's text, tags removed, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_each_viewer_sees_what_is_theirs(monitoring: Monitoring) -> None:
    m = monitoring
    use_dashboard(m)
    await scenario(m)
    acme = bearer(auth.partner("p-acme"))

    page = await m.http.get("/", headers=bearer(auth.SECRETARIAT))

    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    words = text(page.text)
    assert "People trained 2,200" in words
    assert "0.2% of the common target: 1,000,000 by 2030-12-31" in words
    assert "Commitments on track" in words
    assert "Cloud and cybersecurity skills for 20,000 people" in words and OTHER_TITLE in words
    assert '<svg class="chart chart-progress"' in page.text  # the common target's chart
    assert 'id="by-gender"' in page.text
    assert "female 600 27.3%" in words  # the gender table: 600 of 2,200
    assert "not broken down 700" in words
    annual = re.search(r'<table id="annual-report">.*?</table>', page.text, re.S)
    assert annual is not None and "2026 2,200" in text(annual.group(0))
    fragment = await m.http.get("/?fragment=1", headers=bearer(auth.SECRETARIAT))
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "People trained 2,200" in text(fragment.text)

    own = await m.http.get("/partners/p-acme", headers=acme)
    assert own.status_code == 200
    words = text(own.text)
    assert "Cloud and cybersecurity skills for 20,000 people" in words
    assert OTHER_TITLE not in words and "c-sme" not in own.text
    assert "People trained 1,500" in words
    assert "1,500 contributed to the common target of 1,000,000" in words
    other = await m.http.get("/partners/p-other", headers=acme)
    assert other.status_code == 403 and OTHER_TITLE not in other.text
    home = await m.http.get("/", headers=acme)
    assert (home.status_code, home.headers["location"]) == (303, "/partners/p-acme")
    secretariat = await m.http.get("/partners/p-other", headers=bearer(auth.SECRETARIAT))
    assert secretariat.status_code == 200 and OTHER_TITLE in secretariat.text


async def test_without_a_valid_token_the_login_form_answers(pages: httpx.AsyncClient) -> None:
    hostile = [{"Authorization": f"Bearer {t}"} for t in auth.hostile_tokens().values()]
    for headers in [{}, {"Cookie": f"{COOKIE}=not-a-token"}, *hostile]:
        for path in ("/", "/partners/p-acme", "/?fragment=1"):
            answer = await pages.get(path, headers=headers)
            assert answer.status_code == 401, (path, headers)
            assert '<form method="post" action="/login">' in answer.text
            assert "Key figures" not in answer.text


async def known_partner(pages: httpx.AsyncClient, partner_id: str, **state: Any) -> None:
    """The partner as monitoring's read model has it (the pages alone read no topic)."""
    db = pages._transport.app.state.runtime.mongo.db  # type: ignore[attr-defined]
    doc = {"version": 2, "status": "active", "partnerships": [], "credential_version": 1}
    await db["partners"].replace_one({"_id": partner_id}, doc | state, upsert=True)


async def test_logging_in_keeps_the_token_in_a_strict_http_only_cookie(
    pages: httpx.AsyncClient,
) -> None:
    await known_partner(pages, "p-acme")
    token = auth.token(auth.partner("p-acme"))

    done = await pages.post("/login", content=f"token={token}", headers=FORM)

    assert (done.status_code, done.headers["location"]) == (303, "/partners/p-acme")
    cookie = done.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}={token};")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    max_age = int(re.search(r"Max-Age=(\d+)", cookie).group(1))  # type: ignore[union-attr]
    assert 800 < max_age <= 900  # the token's remaining lifetime (15 minutes)
    pages.cookies.set(COOKIE, token)
    page = await pages.get("/partners/p-acme")
    assert page.status_code == 200 and "Signed in as partner p-acme" in page.text
    assert "No commitment yet." in page.text

    out = await pages.post("/logout")
    assert out.status_code == 303 and f'{COOKIE}=""' in out.headers["set-cookie"]


async def test_a_refused_login_sets_no_cookie(pages: httpx.AsyncClient) -> None:
    good = auth.token(auth.SECRETARIAT)
    for body, headers, status in [
        ("token=abc", {}, 401),
        ("token=", {}, 401),
        ("", {}, 401),
        (f"token={good}", {"Origin": "https://evil.example"}, 403),
        (f"token={good}", {"Origin": "null"}, 403),
        (f"token={good}", {"Referer": "https://evil.example/page"}, 403),
    ]:
        answer = await pages.post("/login", content=body, headers=FORM | headers)
        assert answer.status_code == status, (body, headers)
        assert "set-cookie" not in answer.headers
        assert 'role="alert"' in answer.text
    same_site = {"Origin": "http://monitoring"}
    assert (
        await pages.post("/login", content=f"token={good}", headers=FORM | same_site)
    ).status_code == 303


async def test_partners_the_api_refuses_are_not_signed_in(pages: httpx.AsyncClient) -> None:
    """The pages judge a token as the API does: a suspended partner, a token issued before
    the partner's credentials changed, a partner monitoring has not heard of."""
    await known_partner(pages, "p-sus", status="suspended", credential_version=2)
    await known_partner(pages, "p-rotated", credential_version=2)
    refused = {
        "p-sus": "partner p-sus is suspended",
        "p-rotated": "was revoked",
        "p-unheard-of": "not known here yet",
    }
    for partner_id, said in refused.items():
        token = auth.token(auth.partner(partner_id))
        answer = await pages.post("/login", content=f"token={token}", headers=FORM)
        assert answer.status_code == 401 and said in answer.text, partner_id
        assert "set-cookie" not in answer.headers
        page = await pages.get(f"/partners/{partner_id}", headers={"Cookie": f"{COOKIE}={token}"})
        assert page.status_code == 401 and "Key figures" not in page.text, partner_id
    fresh = auth.token(auth.partner("p-rotated", credential_version=2))
    assert (await pages.post("/login", content=f"token={fresh}", headers=FORM)).status_code == 303


async def test_the_public_demo_opens_on_loopback_only(pages: httpx.AsyncClient) -> None:
    app = pages._transport.app  # type: ignore[attr-defined]
    db = app.state.runtime.mongo.db
    app.state.dashboard = Dashboard(DashboardSettings(public=True), DashboardViews(db), utc_now)

    page = await pages.get("/")
    assert page.status_code == 200 and "Local demo view" in page.text

    remote = httpx.ASGITransport(app=app, client=("203.0.113.9", 50000))
    async with httpx.AsyncClient(transport=remote, base_url="http://monitoring") as far:
        assert (await far.get("/")).status_code == 401
    app.state.dashboard.production = True
    assert (await pages.get("/")).status_code == 401
    app.state.dashboard = None
    assert (
        await pages.get("/")
    ).status_code == 401  # the default: MONITORING_DASHBOARD_PUBLIC=false


async def test_static_assets_are_served(pages: httpx.AsyncClient) -> None:
    css = await pages.get("/static/dashboard.css")
    js = await pages.get("/static/dashboard.js")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert js.status_code == 200 and "fragment" in js.text
    for name in ("..%2Fbootstrap.py", "other.js"):
        assert (await pages.get(f"/static/{name}")).status_code == 404
