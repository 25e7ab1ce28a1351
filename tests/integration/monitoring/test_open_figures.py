"""The open figures (issue 17): anyone reads a year's aggregate figures without a token, in
JSON and CSV, without the groups whose figures come from fewer than 3 partners (a country
with one partner would publish that partner's figures); answers are cacheable, with an ETag
that gets 304 while the figures are the same."""

from __future__ import annotations

import csv
import io

import pytest

from tests.support.kafka import wait_until

from .conftest import Monitoring, report
from .test_suppression import world

pytestmark = pytest.mark.integration


async def test_the_open_figures_answer_without_a_token_and_suppress_a_one_partner_country(
    monitoring: Monitoring,
) -> None:
    m = monitoring
    await world(m)  # DE: 3 partners' figures; IT: 1 partner's figures; PT: 1 partner

    answer = await m.http.get("/public/figures", params={"year": 2026})
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "public, max-age=300"
    figures = answer.json()
    assert figures["year"] == 2026 and figures["years"] == [2026]
    assert figures["total"]["people_trained"] == 640  # every partner counts in the total
    assert figures["total"]["partners_reporting"] == 4
    assert [(c["id"], c["people_trained"]) for c in figures["by_country"]] == [("DE", 550)]
    assert [p["id"] for p in figures["partnerships"]] == ["digital-ecosystem"]
    assert [level["id"] for level in figures["by_level"]] == ["advanced"]
    assert figures["suppressed_groups"] == 4  # IT, PT, basic, solo-lsp
    assert "PT" not in answer.text and "p-d" not in answer.text

    etag = answer.headers["etag"]
    again = await m.http.get(
        "/public/figures", params={"year": 2026}, headers={"If-None-Match": etag}
    )
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
    # a token is neither needed nor looked at: a forged one changes nothing
    forged = {"Authorization": "Bearer not.a.token"}
    assert (
        await m.http.get("/public/figures", params={"year": 2026}, headers=forged)
    ).json() == figures

    table = await m.http.get("/public/figures.csv", params={"year": 2026})
    assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv")
    assert table.headers["etag"] and table.headers["cache-control"] == "public, max-age=300"
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert [(r["scope"], r["id"], r["people_trained"]) for r in rows] == [
        ("total", "", "640"),
        ("partnership", "digital-ecosystem", "600"),
        ("country", "DE", "550"),
        ("level", "advanced", "600"),
    ]

    # a new report changes the figures, and with them the ETag
    await m.send(
        report("2026-Q2", 10, partner_id="p-a", commitment_id="c-p-a", by_country={"DE": 10})
    )

    async def changed() -> bool:
        fresh = await m.http.get(
            "/public/figures", params={"year": 2026}, headers={"If-None-Match": etag}
        )
        return fresh.status_code == 200 and fresh.json()["total"]["people_trained"] == 650

    await wait_until(changed)
    empty = (await m.http.get("/public/figures", params={"year": 2031})).json()
    assert empty["total"]["people_trained"] == 0 and empty["by_country"] == []
    refused = await m.http.get("/public/figures", params={"year": 1999})
    assert refused.status_code == 422
