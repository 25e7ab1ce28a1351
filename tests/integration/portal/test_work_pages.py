"""The portal's work pages on the real stack (registry, commitments, monitoring and the
portal as processes), signed in through the portal's form: what each page shows, and what
reaches the APIs behind it."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.support.portal_pages import Organisation, PortalStack, eventually, post_form

pytestmark = pytest.mark.integration

YEAR = date.today().year
MISSED = date.today() - timedelta(days=45)  # past its due date and 30 days of grace
HEADER = "commitment_id,period,revision,people_trained,by_level_advanced,by_country"


@pytest.fixture(scope="module")
async def stack(infrastructure: None) -> AsyncIterator[PortalStack]:
    s = PortalStack({"MONITORING_SWEEP_INTERVAL_SECONDS": "1"})
    try:
        await s.start()
        yield s
    finally:
        await s.stop()


def pledge_form(title: str, **changes: Any) -> dict[str, Any]:
    return {
        "partnership_id": "digital-ecosystem",
        "title": title,
        "principle": "lifelong_learning",
        "action_type": "upskilling",
        "specialisations": ["cloud"],
        "levels": ["advanced"],
        "countries": ["FI", "SE"],
        "metric": "people_trained",
        "target_value": "2,000",
        "start_date": f"{YEAR - 1}-01-01",
        "deadline": f"{YEAR + 1}-12-31",
        "cadence": "quarterly",
        "milestone_due_0": MISSED.isoformat(),
        "milestone_value_0": "800",
        **changes,
    }


async def pledged(person: httpx.AsyncClient, title: str) -> str:
    done = await post_form(person, "/commitments/new", "/commitments/new", pledge_form(title))
    assert done.status_code == 303, done.text
    return done.headers["location"].rsplit("/", 1)[1]


async def test_a_pledge_through_the_form_reaches_commitments(stack: PortalStack) -> None:
    org = await stack.enrol("Nordic Cloud Academy")
    person = await stack.browser(org.email)

    wrong = await post_form(
        person,
        "/commitments/new",
        "/commitments/new",
        pledge_form("", target_value="lots", levels=[], milestone_due_1="31/12/2026"),
    )
    assert wrong.status_code == 422
    for name in ("title", "target_value", "milestone_due_1"):  # each error tied to its field
        assert re.search(rf'id="f-{name}"[^>]*aria-invalid="true"', wrong.text), name
        assert f'aria-describedby="f-{name}-error"' in wrong.text or (
            f"f-{name}-error" in wrong.text
        ), name
    assert 'id="f-levels-error"' in wrong.text
    key = await stack.token(org.api_key)
    listed = await stack.api(stack.commitments, "GET", "/commitments", key)
    assert listed["total"] == 0  # nothing was pledged

    cid = await pledged(person, "Cloud skills for 2,000 engineers")
    stored = await stack.api(stack.commitments, "GET", f"/commitments/{cid}", key)
    assert stored["title"] == "Cloud skills for 2,000 engineers"
    assert stored["target_value"] == 2000
    assert stored["countries"] == ["FI", "SE"]
    assert stored["milestones"] == [{"due_date": MISSED.isoformat(), "value": 800}]
    assert stored["history"][0]["actor"] == org.email  # the person, not the organisation

    page = (await person.get("/commitments")).text
    assert "Cloud skills for 2,000 engineers" in page and cid in page
    amended = await post_form(
        person,
        f"/commitments/{cid}",
        f"/commitments/{cid}/amend",
        {  # the form shows the milestones as they are: a browser sends them back
            "reason": "Scope extended to Sweden",
            "target_value": "2,500",
            "deadline": "",
            "milestone_due_0": MISSED.isoformat(),
            "milestone_value_0": "800",
        },
    )
    assert amended.status_code == 303, amended.text
    stored = await stack.api(stack.commitments, "GET", f"/commitments/{cid}", key)
    assert (stored["target_value"], stored["version"]) == (2500, 2)

    unsaid = await post_form(person, f"/commitments/{cid}", f"/commitments/{cid}/withdraw", {})
    assert unsaid.status_code == 422
    assert 'id="f-withdraw_reason-error"' in unsaid.text
    withdrawn = await post_form(
        person,
        f"/commitments/{cid}",
        f"/commitments/{cid}/withdraw",
        {"withdraw_reason": "Programme discontinued"},
    )
    assert withdrawn.status_code == 303, withdrawn.text
    stored = await stack.api(stack.commitments, "GET", f"/commitments/{cid}", key)
    assert stored["status"] == "withdrawn"
    assert "/withdraw" not in (await person.get(f"/commitments/{cid}")).text  # nothing to offer


async def test_an_upload_with_a_bad_row_sends_nothing_and_the_clean_file_is_applied(
    stack: PortalStack,
) -> None:
    org = await stack.enrol("Lusitania SME Digital", "PT")
    person = await stack.browser(org.email)
    cid = await pledged(person, "Basic digital skills for SME staff")
    good = [f"{cid},{YEAR - 1}-Q3,1,300,300,FI:200;SE:100", f"{cid},{YEAR - 1}-Q4,1,200,200,FI:200"]
    bad = [good[0], f"{cid},{YEAR - 1}-Q4,1,200,150,FI:200"]
    sheet = "\n".join((HEADER, *bad)) + "\n"

    refused = await post_form(
        person, "/upload", "/upload", {}, files={"sheet": ("q.csv", sheet, "text/csv")}
    )
    assert refused.status_code == 422
    problems = re.findall(
        r'<tr><th scope="row">(\d+)</th><td><code>([^<]+)</code></td><td>([^<]+)</td>',
        refused.text,
    )
    assert [(line, field) for line, field, _ in problems] == [("3", "by_level")]
    assert "sum to 150, but people_trained is 200" in problems[0][2]
    assert "nothing was sent" in refused.text
    assert 'action="/upload/send"' not in refused.text  # no way to send a bad file
    key = await stack.token(org.api_key)
    await asyncio.sleep(2)  # nothing arrives, however long one waits
    got = await stack.http.get(
        f"{stack.monitoring.url}/progress/commitments/{cid}",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert got.status_code == 404 or got.json()["periods"] == [], got.text

    sheet = "\n".join((HEADER, *good)) + "\n"
    preview = await post_form(
        person, "/upload", "/upload", {}, files={"sheet": ("q.csv", sheet, "text/csv")}
    )
    assert preview.status_code == 200, preview.text
    assert "Send 2 reports" in preview.text
    hidden = re.search(r'name="sheet" value="([^"]*)"', preview.text, re.S)
    assert hidden is not None
    sent = await post_form(person, "/upload", "/upload/send", {"sheet": sheet})
    assert sent.status_code == 200, sent.text
    assert "2 reports sent" in sent.text

    async def applied() -> Any:
        answer = await stack.http.get(
            f"{stack.monitoring.url}/progress/commitments/{cid}",
            headers={"Authorization": f"Bearer {key}"},
        )
        return answer.status_code == 200 and answer.json()["achieved"] == 500

    await eventually(applied, "the clean file's reports applied")
    detail = (await person.get(f"/commitments/{cid}")).text
    assert "500 of 2,000 reached" in detail
    forecast = re.search(r'<p id="forecast">([^<]*)</p>', detail)  # monitoring's, in words
    assert forecast is not None and "Forecast for the deadline" in forecast[1], detail
    assert "a month are needed from now to the deadline" in forecast[1]


async def test_refused_reports_are_listed_with_their_reason(stack: PortalStack) -> None:
    org = await stack.enrol("Baltic Data School", "EE")
    person = await stack.browser(org.email)
    cid = await pledged(person, "Data literacy for 1,000 civil servants")
    # Before the commitment's start: the form takes it, monitoring refuses it.
    early = f"{YEAR - 2}-Q1"
    done = await post_form(
        person,
        "/report",
        "/report",
        {"commitment_id": cid, "period": early, "revision": "1", "people_trained": "40"},
    )
    assert done.status_code == 303, done.text

    async def listed() -> Any:
        page = (await person.get("/rejections")).text
        return cid in page and early in page and page

    page = await eventually(listed, "the refused report on the rejections page")
    assert "period" in page  # the field the rule is about, and why
    wrong = await post_form(
        person,
        "/report",
        "/report",
        {"commitment_id": cid, "period": f"{YEAR}-Q7", "people_trained": "x"},
    )
    assert wrong.status_code == 422
    assert 'id="f-period-error"' in wrong.text and 'id="f-people_trained-error"' in wrong.text


async def test_alerts_are_acknowledged_and_a_viewer_is_offered_nothing_to_change(
    stack: PortalStack,
) -> None:
    org = await stack.enrol("Alpine Cyber Institute", "AT")
    person = await stack.browser(org.email)
    cid = await pledged(person, "Cybersecurity for 2,000 technicians")
    sheet = f"{HEADER}\n{cid},{YEAR - 1}-Q4,1,100,100,AT:100\n"
    await post_form(person, "/upload", "/upload/send", {"sheet": sheet})

    async def firing() -> Any:
        page = (await person.get("/alerts")).text
        return "Milestone missed" in page and page

    page = await eventually(firing, "the missed milestone's alert")
    action = re.search(r'action="(/alerts/[^"]+/acknowledge)"', page)
    assert action is not None
    done = await post_form(person, "/alerts", action[1], {"note": "Second cohort starts in May"})
    assert done.status_code == 303, done.text
    page = (await person.get("/alerts")).text
    assert f"Acknowledged by {org.email}" in page or "Acknowledged by" in page
    assert "Second cohort starts in May" in page
    empty = await post_form(person, "/alerts", action[1], {"note": ""})
    assert empty.status_code == 422

    viewer = f"viewer-{org.partner_id}@org.example"
    await stack.invite(await stack.user_token(org.email), viewer, "viewer", org.partner_id)
    reader = await stack.browser(viewer)
    assert "/commitments/new" not in (await reader.get("/commitments")).text
    assert "/acknowledge" not in (await reader.get("/alerts")).text
    assert 'action="/upload"' not in (await reader.get("/upload")).text
    refused = await post_form(reader, "/commitments", "/commitments/new", pledge_form("Mine"))
    assert refused.status_code == 403  # the API refuses it anyway


async def test_the_secretariat_sets_targets_and_sees_legal_names(stack: PortalStack) -> None:
    org: Organisation = await stack.enrol("Iberian Skills Forum", "ES")
    partner = await stack.browser(org.email)
    cid = await pledged(partner, "Green and digital skills for 600 teachers")
    admin = await stack.browser(await stack.secretariat())
    set_ = await post_form(
        admin,
        "/targets",
        "/targets",
        {
            "partnership_id": "digital-ecosystem",
            "title": "10,000 people trained in digital skills",
            "metric": "people_trained",
            "target_value": "10000",
            "start_date": f"{YEAR - 1}-01-01",
            "deadline": f"{YEAR + 3}-12-31",
        },
    )
    assert set_.status_code == 303, set_.text
    token = await stack.token()
    targets = await stack.api(stack.commitments, "GET", "/partnership-targets", token)
    assert "10,000 people trained in digital skills" in [t["title"] for t in targets["items"]]
    for_them = await post_form(
        admin,
        "/commitments/new",
        "/commitments/new",
        pledge_form("Pledged by the secretariat", partner_id=org.partner_id),
    )
    assert for_them.status_code == 303, for_them.text
    theirs = for_them.headers["location"].rsplit("/", 1)[1]
    stored = await stack.api(stack.commitments, "GET", f"/commitments/{theirs}", token)
    assert stored["partner_id"] == org.partner_id
    listing = (await admin.get("/commitments")).text
    assert "Iberian Skills Forum" in listing and cid in listing

    async def on_dashboard() -> httpx.Response | None:  # monitoring hears of it over Kafka
        page = await admin.get("/dashboard")
        shown = page.status_code == 200 and "Iberian Skills Forum" in page.text
        return page if shown and cid in page.text else None

    dashboard = await eventually(on_dashboard, "the pledge on the secretariat's dashboard")
    assert org.partner_id not in re.sub(r"/dashboard/partners/p-[0-9a-f]+", "", dashboard.text)
    nowhere = await admin.get("/dashboard", params={"partnership": "nowhere-yet"})
    assert nowhere.status_code == 200 and "No commitment yet." in nowhere.text
    other = await partner.get("/dashboard/partners/p-000000000000")
    assert other.status_code == 403  # one organisation cannot see another's page


async def test_a_revision_leaving_figures_out_says_what_it_clears_and_keeps_them(
    stack: PortalStack,
) -> None:
    org = await stack.enrol("Danube Digital Hub", "SK")
    person = await stack.browser(org.email)
    cid = await pledged(person, "Digital skills for 900 SME staff")
    first = await post_form(
        person,
        "/report",
        "/report",
        {"commitment_id": cid, "period": f"{YEAR - 1}-Q2", "people_trained": "100",
         "people_reached": "900"},
    )  # fmt: skip
    assert first.status_code == 303, first.text
    key = await stack.token(org.api_key)

    async def period(trained: int) -> Any:
        answer = await stack.http.get(
            f"{stack.monitoring.url}/progress/commitments/{cid}",
            headers={"Authorization": f"Bearer {key}"},
        )
        found = answer.json()["periods"] if answer.status_code == 200 else []
        return found and found[0]["people_trained"] == trained and found[0]

    await eventually(lambda: period(100), "the first revision applied")
    sheet = f"commitment_id,period,revision,people_trained\n{cid},{YEAR - 1}-Q2,2,120\n"
    preview = await post_form(
        person, "/upload", "/upload", {}, files={"sheet": ("r.csv", sheet, "text/csv")}
    )
    assert preview.status_code == 200, preview.text
    warned = re.search(r'<div class="panel" id="cleared">(.*?)</div>', preview.text, re.S)
    assert warned is not None and "people_reached 900" in warned[1]
    sent = await post_form(person, "/upload", "/upload/send", {"sheet": sheet, "keep_unset": "1"})
    assert "1 report sent" in sent.text
    kept = await eventually(lambda: period(120), "the second revision applied")
    assert (kept["revision"], kept["people_reached"]) == (2, 900)


async def test_amounts_with_a_decimal_comma_are_read_when_asked(stack: PortalStack) -> None:
    org = await stack.enrol("Adriatic Code School", "HR")
    person = await stack.browser(org.email)
    cid = await pledged(person, "Coding for 300 young people")
    sheet = (
        f'commitment_id,period,people_trained,investment_eur\n{cid},{YEAR - 1}-Q1,30,"1.234,50"\n'
    )
    file = {"sheet": ("c.csv", sheet, "text/csv")}
    misread = await post_form(person, "/upload", "/upload", {}, files=file)
    assert misread.status_code == 422 and "investment_eur" in misread.text
    preview = await post_form(person, "/upload", "/upload", {"decimal_comma": "1"}, files=file)
    assert preview.status_code == 200, preview.text
    sent = await post_form(
        person, "/upload", "/upload/send", {"sheet": sheet, "decimal_comma": "1"}
    )
    assert "1 report sent" in sent.text
    key = await stack.token(org.api_key)

    async def stored() -> Any:
        answer = await stack.http.get(
            f"{stack.monitoring.url}/progress/commitments/{cid}",
            headers={"Authorization": f"Bearer {key}"},
        )
        return answer.status_code == 200 and answer.json()["periods"]

    [period] = await eventually(stored, "the report applied")
    assert period["investment_eur"] == 1234.5
