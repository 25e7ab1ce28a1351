"""The figures of "attract people into digital jobs" (issue 17) on the real stack: people
placed in jobs, new entrants and certificates issued, reported through the portal's form
and its upload, are a commitment's target, reach monitoring's annual report (JSON and CSV)
and show on the partner's dashboard."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest

from pact_contracts import ProgressReported
from pactctl.commands.learners import encoded, sketch_of
from tests.support.portal_pages import PortalStack, eventually, post_form

pytestmark = pytest.mark.integration

YEAR = date.today().year - 1
NEW = ("people_placed_in_jobs", "new_entrants", "certificates_issued")


@pytest.fixture(scope="module")
async def stack(infrastructure: None) -> AsyncIterator[PortalStack]:
    s = PortalStack()
    try:
        await s.start()
        yield s
    finally:
        await s.stop()


async def test_placements_entrants_and_certificates_reach_the_annual_report_and_the_portal(
    stack: PortalStack,
) -> None:
    org = await stack.enrol("Carpathian Jobs Academy", "RO")
    person = await stack.browser(org.email)
    pledge = {
        "partnership_id": "digital-ecosystem",
        "title": "500 people into digital jobs",
        "principle": "lifelong_learning",
        "action_type": "attracting_talent",
        "specialisations": ["software_development"],
        "levels": ["intermediate"],
        "countries": ["RO"],
        "metric": "people_placed_in_jobs",
        "target_value": "500",
        "start_date": f"{YEAR}-01-01",
        "deadline": f"{YEAR + 2}-12-31",
        "cadence": "quarterly",
    }
    pledged = await post_form(person, "/commitments/new", "/commitments/new", pledge)
    assert pledged.status_code == 303, pledged.text
    cid = pledged.headers["location"].rsplit("/", 1)[1]

    form = await person.get("/report")
    assert "People placed in digital jobs" in form.text and 'name="new_entrants"' in form.text
    sent = await post_form(
        person,
        "/report",
        "/report",
        {"commitment_id": cid, "period": f"{YEAR}-Q1", "people_trained": "120",
         "people_placed_in_jobs": "35", "new_entrants": "60", "certificates_issued": "110"},
    )  # fmt: skip
    assert sent.status_code == 303, sent.text
    sheet = (
        "commitment_id,period,people_trained,people_placed_in_jobs,new_entrants,"
        f"certificates_issued\n{cid},{YEAR}-Q2,80,15,40,70\n"
    )
    preview = await post_form(
        person, "/upload", "/upload", {}, files={"sheet": ("q.csv", sheet, "text/csv")}
    )
    assert preview.status_code == 200, preview.text
    uploaded = await post_form(person, "/upload", "/upload/send", {"sheet": sheet})
    assert "1 report sent" in uploaded.text

    key = await stack.token(org.api_key)

    async def both_applied() -> Any:
        answer = await stack.http.get(
            f"{stack.monitoring.url}/progress/commitments/{cid}",
            headers={"Authorization": f"Bearer {key}"},
        )
        return answer.status_code == 200 and answer.json()["achieved"] == 50 and answer.json()

    progress = await eventually(both_applied, "both reports applied, 50 placed in jobs")
    assert progress["metric"] == "people_placed_in_jobs"
    assert [(p["period"], *(p[n] for n in NEW)) for p in progress["periods"]] == [
        (f"{YEAR}-Q1", 35, 60, 110),
        (f"{YEAR}-Q2", 15, 40, 70),
    ]

    admin = {"Authorization": f"Bearer {await stack.token()}"}
    url = f"{stack.monitoring.url}/reports/annual"

    async def counted() -> Any:  # the year rows follow the reports (their keeper, when apart)
        report = (await stack.http.get(url, params={"year": YEAR}, headers=admin)).json()
        return report["people_trained"] == 200 and report

    report = await eventually(counted, "the annual report counts both reports")
    assert (report["people_trained"], *(report[n] for n in NEW)) == (200, 50, 100, 180)
    exported = await stack.http.get(url, params={"year": YEAR, "format": "csv"}, headers=admin)
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    total = next(r for r in rows if r["scope"] == "total")
    assert [total[n] for n in NEW] == ["50", "100", "180"]

    page = (await person.get(f"/dashboard/partners/{org.partner_id}")).text
    assert "People placed in digital jobs" in page and "New entrants to the digital sector" in page
    assert "Placed in jobs" in page and "Certificates" in page  # the annual table's columns
    annual = page[page.index('id="annual-report"') :]
    row = annual[annual.index(f'<th scope="row">{YEAR}</th>') :].split("</tr>")[0]
    cells = row.split('<td class="num">')[1:]
    assert [c.split("</td>")[0] for c in cells][4:7] == ["50", "100", "180"]
    # this year's unique learners, from a report carrying a learners sketch
    ids = [f"L-{i}" for i in range(250)]
    sketched = ProgressReported(
        partner_id=org.partner_id, commitment_id=cid, period=f"{YEAR + 1}-Q1",
        people_trained=300, learners_sketch=encoded(sketch_of(ids, b"a salt kept by the partner")),
    )  # fmt: skip
    posted = await stack.http.post(
        f"{stack.monitoring.url}/progress",
        json=sketched.to_jsonable(),
        headers={"Authorization": f"Bearer {key}"},
    )
    assert posted.status_code == 202, posted.text

    async def counted() -> Any:
        page = (await person.get(f"/dashboard/partners/{org.partner_id}")).text
        return "Unique learners" in page and page

    page = await eventually(counted, "the unique learners on the partner's page")
    figure = page[page.index("Unique learners") :][:600]
    assert "250" in figure and "300 people trained" in figure, figure
    german = await person.get(
        f"/dashboard/partners/{org.partner_id}", headers={"Accept-Language": "de"}
    )
    assert "In digitale Jobs vermittelte Personen" in german.text
