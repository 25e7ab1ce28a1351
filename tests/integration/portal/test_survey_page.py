"""The annual survey page (issue 17) on the real stack: a partner's answers pre-filled from
what it reported, its yearly declaration (stakeholders who joined networks, activities per
charter principle) made on the page, downloads in CSV and JSON, and a button that confirms
the answers, which the page then says and the secretariat reads."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest

from tests.support.portal_pages import PortalStack, post_form

pytestmark = pytest.mark.integration

YEAR = date.today().year


@pytest.fixture(scope="module")
async def stack(infrastructure: None) -> AsyncIterator[PortalStack]:
    s = PortalStack()
    try:
        await s.start()
        yield s
    finally:
        await s.stop()


async def test_a_partner_declares_downloads_and_confirms_its_survey(stack: PortalStack) -> None:
    org = await stack.enrol("Danube Digital Guild", "RO")
    person = await stack.browser(org.email)
    pledge = {
        "partnership_id": "digital-ecosystem", "title": "300 trained in cloud",
        "principle": "lifelong_learning", "action_type": "attracting_talent",
        "specialisations": ["software_development"], "levels": ["intermediate"],
        "countries": ["RO"], "metric": "people_trained", "target_value": "300",
        "start_date": f"{YEAR}-01-01", "deadline": f"{YEAR + 2}-12-31", "cadence": "quarterly",
    }  # fmt: skip
    pledged = await post_form(person, "/commitments/new", "/commitments/new", pledge)
    assert pledged.status_code == 303, pledged.text
    cid = pledged.headers["location"].rsplit("/", 1)[1]
    sent = await post_form(
        person, "/report", "/report",
        {"commitment_id": cid, "period": f"{YEAR}-Q1", "people_trained": "120"},
    )  # fmt: skip
    assert sent.status_code == 303, sent.text

    async def prefilled() -> Any:
        page = await person.get(f"/survey?year={YEAR}")
        return page.status_code == 200 and '<td class="num">120</td>' in page.text and page

    page = None
    for _ in range(150):
        if page := await prefilled():
            break
        await asyncio.sleep(0.2)
    assert page, "the report never reached the survey"
    assert "Nothing declared for this year yet." in page.text
    assert 'href="/survey"' in (await person.get("/commitments")).text

    declared = await post_form(
        person, f"/survey?year={YEAR}", f"/survey/{YEAR}/declaration",
        {"stakeholders_joined_networks": "12",
         "lifelong_learning_activities": "Evening courses with the city",
         "lifelong_learning_count": "4", "equal_opportunities_activities": "Bursaries"},
    )  # fmt: skip
    assert declared.status_code == 303, declared.text
    page = await person.get(f"/survey?year={YEAR}")
    assert "Stakeholders who joined networks: 12" in page.text
    assert "Evening courses with the city (4)" in page.text
    wrong = await post_form(
        person, f"/survey?year={YEAR}", f"/survey/{YEAR}/declaration",
        {"stakeholders_joined_networks": "many"},
    )  # fmt: skip
    assert wrong.status_code == 422

    table = await person.get(f"/survey/{YEAR}.csv")
    assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv")
    answers = dict(csv.reader(io.StringIO(table.text)))
    assert answers["people_trained"] == "120" and answers["stakeholders_joined_networks"] == "12"
    whole = json.loads((await person.get(f"/survey/{YEAR}.json")).text)
    assert whole["declaration"]["principles"]["lifelong_learning"]["count"] == 4

    page = await person.get(f"/survey?year={YEAR}")
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', page.text)
    assert digest and digest.group(1) == whole["digest"]
    stale = await post_form(
        person, f"/survey?year={YEAR}", f"/survey/{YEAR}/confirmation", {"digest": "0" * 64}
    )
    assert stale.status_code == 303
    assert "Not confirmed yet." in (await person.get(f"/survey?year={YEAR}")).text
    confirmed = await post_form(
        person, f"/survey?year={YEAR}", f"/survey/{YEAR}/confirmation", {"digest": digest.group(1)}
    )
    assert confirmed.status_code == 303, confirmed.text
    page = await person.get(f"/survey?year={YEAR}")
    assert f"Confirmed by {org.email}" in page.text
    assert "Confirm these answers" not in page.text

    admin = await stack.browser(await stack.secretariat())
    seen = await admin.get(f"/survey?year={YEAR}&partner={org.partner_id}")
    assert seen.status_code == 200 and f"Confirmed by {org.email}" in seen.text
