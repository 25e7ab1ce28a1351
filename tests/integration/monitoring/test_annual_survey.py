"""The annual report complete (issue 17): partners declare, yearly, the stakeholders they
brought into networks and their activities per charter principle (their own only; the
secretariat reads all); the annual report sums them (JSON and CSV), hiding the sums from a
partner while fewer than 3 partners declared. Each partner's survey is pre-filled from its
reports and declaration (JSON and CSV) and confirmed by its digest, which a later report
changes."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.support.kafka import wait_until

from .conftest import Monitoring, report
from .test_suppression import world

pytestmark = pytest.mark.integration


def declaration(joined: int, count: int | None = None) -> dict[str, Any]:
    return {
        "stakeholders_joined_networks": joined,
        "lifelong_learning": {"activities": "Evening courses with the city", "count": count},
        "equal_opportunities": {"activities": '=HYPERLINK("x") bursaries for women'},
    }


async def test_declarations_complete_the_annual_report(monitoring: Monitoring) -> None:
    m = monitoring
    await world(m)  # p-a, p-b, p-c in digital-ecosystem; p-d in solo-lsp
    secretariat = m.token(None)

    put = await m.http.put(
        "/declarations/p-a/2026", json=declaration(10, 4), headers=m.token("p-a")
    )
    assert put.status_code == 200, put.text
    assert put.json()["declared_by"] == "p-a"
    assert put.json()["principles"]["lifelong_learning"] == {
        "activities": "Evening courses with the city",
        "count": 4,
    }
    # its own only; a wrong shape is refused field by field
    other = await m.http.put("/declarations/p-b/2026", json=declaration(1), headers=m.token("p-a"))
    assert other.status_code == 403
    bad = await m.http.put(
        "/declarations/p-a/2026",
        json={"stakeholders_joined_networks": -1, "openness": {"activities": "x"}},
        headers=m.token("p-a"),
    )
    assert bad.status_code == 422

    async def annual(token: dict[str, str], **params: Any) -> Any:
        answer = await m.http.get("/reports/annual", params={"year": 2026, **params}, headers=token)
        assert answer.status_code == 200, answer.text
        return answer

    # one partner declared: the sums are the secretariat's to see
    hidden = (await annual(m.token("p-b"))).json()["networks"]
    assert hidden == {
        "partners_declaring": 1,
        "stakeholders_joined_networks": None,
        "principles": None,
    }
    await m.http.put("/declarations/p-b/2026", json=declaration(20, 6), headers=m.token("p-b"))
    await m.http.put("/declarations/p-c/2026", json=declaration(30), headers=m.token("p-c"))
    await m.http.put("/declarations/p-d/2025", json=declaration(99, 99), headers=m.token("p-d"))

    networks = (await annual(m.token("p-b"))).json()["networks"]
    assert networks["partners_declaring"] == 3
    assert networks["stakeholders_joined_networks"] == 60
    principles = {p["principle"]: p for p in networks["principles"]}
    assert list(principles) == [
        "lifelong_learning",
        "skills_partnerships",
        "skills_intelligence",
        "equal_opportunities",
    ]
    assert principles["lifelong_learning"] == {
        "principle": "lifelong_learning",
        "partners_declaring": 3,
        "activities_counted": 10,
    }
    assert principles["skills_partnerships"]["partners_declaring"] == 0
    assert principles["equal_opportunities"]["partners_declaring"] == 3

    table = await annual(secretariat, format="csv")
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert rows[0]["scope"] == "total" and rows[0]["stakeholders_joined_networks"] == "60"
    assert rows[0]["partners_declaring"] == "3"
    by_principle = {r["id"]: r for r in rows if r["scope"] == "principle"}
    assert by_principle["lifelong_learning"]["activities_counted"] == "10"
    assert by_principle["skills_intelligence"]["partners_declaring"] == "0"

    # the secretariat reads every declaration, a partner its own
    everyone = await m.http.get("/declarations", params={"year": 2026}, headers=secretariat)
    assert [d["partner_id"] for d in everyone.json()["items"]] == ["p-a", "p-b", "p-c"]
    own = await m.http.get("/declarations", params={"year": 2026}, headers=m.token("p-a"))
    assert [d["partner_id"] for d in own.json()["items"]] == ["p-a"]
    refused = await m.http.get(
        "/declarations", params={"year": 2026, "partner_id": "p-b"}, headers=m.token("p-a")
    )
    assert refused.status_code == 403
    missing = await m.http.get("/declarations/p-a/2027", headers=m.token("p-a"))
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "declaration_not_found")


async def test_a_partner_confirms_its_survey_prefilled_from_its_figures(
    monitoring: Monitoring,
) -> None:
    m = monitoring
    await world(m)
    await m.http.put("/declarations/p-a/2026", json=declaration(10, 4), headers=m.token("p-a"))
    token = m.token("p-a")

    survey = (await m.http.get("/surveys/p-a/2026", headers=token)).json()
    assert survey["figures"]["people_trained"] == 100  # its own: DE 50 + IT 50
    assert survey["declaration"]["stakeholders_joined_networks"] == 10
    assert survey["confirmation"] is None
    assert {c["country"] for c in survey["figures"]["by_country"]} == {"DE", "IT"}

    table = await m.http.get("/surveys/p-a/2026", params={"format": "csv"}, headers=token)
    assert table.headers["content-disposition"].endswith('"pact-survey-p-a-2026.csv"')
    answers = dict(csv.reader(io.StringIO(table.text)))
    assert answers["people_trained"] == "100"
    assert answers["people_trained.country.IT"] == "50"
    assert answers["stakeholders_joined_networks"] == "10"
    assert answers["principle.lifelong_learning.count"] == "4"
    # a partner's text is never a formula in a spreadsheet
    assert answers["principle.equal_opportunities.activities"].startswith("'=HYPERLINK")
    assert answers["digest"] == survey["digest"]

    assert (await m.http.get("/surveys/p-b/2026", headers=token)).status_code == 403
    wrong = await m.http.post(
        "/surveys/p-a/2026/confirmation", json={"digest": "0" * 64}, headers=token
    )
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (409, "survey_changed")
    confirmed = await m.http.post(
        "/surveys/p-a/2026/confirmation", json={"digest": survey["digest"]}, headers=token
    )
    assert confirmed.status_code == 201, confirmed.text
    assert confirmed.json()["confirmed_by"] == "p-a" and confirmed.json()["current"] is True

    # a later report changes the answers: the confirmation stands, but no longer current
    await m.send(
        report("2026-Q2", 5, partner_id="p-a", commitment_id="c-p-a", by_country={"DE": 5})
    )

    async def changed() -> bool:
        again = (await m.http.get("/surveys/p-a/2026", headers=token)).json()
        return again["figures"]["people_trained"] == 105

    await wait_until(changed)
    again = (await m.http.get("/surveys/p-a/2026", headers=token)).json()
    assert again["digest"] != survey["digest"]
    assert again["confirmation"]["digest"] == survey["digest"]
    assert again["confirmation"]["current"] is False
    # the secretariat reads every partner's survey and who confirmed it
    seen = await m.http.get("/surveys/p-a/2026", headers=m.token(None))
    assert seen.json()["confirmation"]["confirmed_by"] == "p-a"
