"""The new figures broken down like people trained (issue 17): a report's
people_placed_in_jobs_by_level (by_country, by_gender), and the like for new_entrants and
certificates_issued, taken by POST /progress, refused by the rule's name when they do not
sum to their figure, and attributed per level and country in the rollups and the annual
report (JSON and CSV); the gender breakdowns summed over the year."""

from __future__ import annotations

import csv
import io

import pytest

from tests.support.kafka import wait_until

from .conftest import Monitoring, report

pytestmark = pytest.mark.integration

PLACED = {
    "people_placed_in_jobs": 35,
    "people_placed_in_jobs_by_level": {"advanced": 20, "expert": 15},
    "people_placed_in_jobs_by_country": {"DE": 20, "FR": 15},
    "people_placed_in_jobs_by_gender": {"female": 18, "male": 17},
    "certificates_issued": 10,
    "certificates_issued_by_country": {"IT": 10},
}


async def test_breakdowns_of_placements_reach_the_rollups_and_the_annual_report(
    monitoring: Monitoring,
) -> None:
    m = monitoring
    await m.partner()
    await m.commitment()  # levels: advanced only; countries: DE, FR, IT, ES
    await m.wait_for_commitment()
    await m.wait_for_partner()  # its token is answered once monitoring knows the partner

    wrong = report("2025-Q1", 100, **PLACED).to_jsonable()
    wrong["people_placed_in_jobs_by_level"] = {"advanced": 20, "expert": 10}
    refused = await m.http.post("/progress", json=wrong, headers=m.token())
    assert refused.status_code == 422, refused.text
    assert [p["rule"] for p in refused.json()["error"]["problems"]] == ["breakdown_sum"]
    assert "people_placed_in_jobs_by_level must sum to people_placed_in_jobs (35)" in refused.text

    sent = await m.http.post(
        "/progress", json=report("2025-Q1", 100, **PLACED).to_jsonable(), headers=m.token()
    )
    assert sent.status_code == 202, sent.text
    doc = await wait_until(lambda: m.db["commitments"].find_one({"achieved": 100}))
    assert doc["totals"]["people_placed_in_jobs_by_country"] == {"DE": 20, "FR": 15}

    rollups = {r["_id"]: r for r in await m.db["rollups"].find().to_list()}
    assert rollups["level:advanced"]["people_placed_in_jobs"] == 20  # the rest is expert's
    assert rollups["level:expert"]["people_placed_in_jobs"] == 15
    assert rollups["level:advanced"]["certificates_issued"] == 10  # the only level named
    assert rollups["country:DE"]["people_placed_in_jobs"] == 20
    assert rollups["country:FR"]["people_placed_in_jobs"] == 15
    assert rollups["country:IT"]["certificates_issued"] == 10
    assert rollups["partner:p-acme"]["people_placed_in_jobs"] == 35

    url, secretariat = "/reports/annual", m.token(None)
    await wait_until(m.views_kept)  # the year rows, when kept apart
    annual = (await m.http.get(url, params={"year": 2025}, headers=secretariat)).json()
    assert annual["people_placed_in_jobs"] == 35
    assert annual["people_placed_in_jobs_by_gender"] == {"female": 18, "male": 17}
    assert annual["new_entrants_by_gender"] == {}
    levels = {r["level"]: r["people_placed_in_jobs"] for r in annual["by_level"]}
    assert (levels["advanced"], levels["expert"]) == (20, 15)
    countries = {r["country"]: r["people_placed_in_jobs"] for r in annual["by_country"]}
    assert (countries["DE"], countries["FR"]) == (20, 15)
    exported = await m.http.get(url, params={"year": 2025, "format": "csv"}, headers=secretariat)
    rows = {(r["scope"], r["id"]): r for r in csv.DictReader(io.StringIO(exported.text))}
    assert rows[("level", "expert")]["people_placed_in_jobs"] == "15"
    assert rows[("country", "DE")]["people_placed_in_jobs"] == "20"
