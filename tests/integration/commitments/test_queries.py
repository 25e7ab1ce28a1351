"""Listing commitments with filters and pagination (each filter backed by an index), and
partnership targets with their event."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from commitments.adapters.repository import LIST_ORDER
from commitments.adapters.views import CommitmentFilter
from pact_common.paging import after, parse_cursor
from tests.integration.commitments.conftest import Harness
from tests.support.kafka import read_events

pytestmark = pytest.mark.integration


async def test_filters_pagination_and_what_a_partner_sees(commitments: Harness) -> None:
    await commitments.active_partner("p-acme")
    await commitments.active_partner("p-other")
    cloud = await commitments.pledge("p-acme")
    basic = await commitments.pledge(
        "p-acme",
        title="Basic digital skills for SME staff",
        specialisations=["basic_digital_literacy"],
        levels=["basic"],
        countries=["PT"],
        deadline="2028-12-31",
        milestones=[],
    )
    other = await commitments.pledge(
        "p-other", title="Developers", specialisations=["software_development"], countries=["IE"]
    )
    await commitments.client.post(
        f"/commitments/{basic}/withdraw",
        json={"reason": "Merged into another programme"},
        headers=commitments.partner_token("p-acme"),
    )
    secretariat = commitments.secretariat()

    async def ids(headers: dict[str, str] | None = None, **params: Any) -> list[str]:
        response = await commitments.client.get(
            "/commitments", params=params, headers=headers or secretariat
        )
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await ids() == [cloud, basic, other]  # pledge order
    assert await ids(partner="p-acme") == [cloud, basic]
    assert await ids(partnership="digital-ecosystem") == [cloud, basic, other]
    assert await ids(partnership="automotive") == []
    assert await ids(status="withdrawn") == [basic]
    assert await ids(status="active") == [cloud, other]
    assert await ids(country="FR") == [cloud]
    assert await ids(country="IE") == [other]
    assert await ids(country="PT") == [basic]
    assert await ids(level="basic") == [basic]
    assert await ids(specialisation="cybersecurity") == [cloud]
    assert await ids(deadline_from="2028-01-01") == [basic]
    assert await ids(deadline_to="2027-12-31") == [cloud, other]
    assert await ids(deadline_from="2027-12-31", deadline_to="2027-12-31") == [cloud, other]
    assert await ids(country="IE", level="advanced", partner="p-other") == [other]
    for not_a_date in ("0", "20271231", "2027-12-31T00:00:00"):  # 0 read as 1970-01-01 before
        refused = await commitments.client.get(
            "/commitments", params={"deadline_to": not_a_date}, headers=secretariat
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["problems"][0]["rule"] == "date_text"
    assert await ids(country="DE", partner="p-other") == []
    # A partner sees its own commitments only.
    assert await ids(commitments.partner_token("p-other")) == [other]

    page = await commitments.client.get(
        "/commitments", params={"offset": 1, "limit": 1}, headers=secretariat
    )
    body = page.json()
    assert (body["total"], body["offset"], body["limit"]) == (3, 1, 1)
    assert [i["id"] for i in body["items"]] == [basic]
    item = body["items"][0]
    assert (item["status"], item["version"], item["countries"], item["metric"]) == (
        "withdrawn",
        2,
        ["PT"],
        "people_trained",
    )
    bad = await commitments.client.get(
        "/commitments", params={"level": "guru", "limit": 0}, headers=secretariat
    )
    assert bad.status_code == 422
    assert {p["field"] for p in bad.json()["error"]["problems"]} == {"level", "limit"}


async def test_pages_by_cursor_read_on_from_the_last_item(commitments: Harness) -> None:
    await commitments.active_partner("p-acme")
    await commitments.active_partner("p-other")
    pledged = [await commitments.pledge("p-acme", title=f"Programme {n}") for n in range(5)]
    other = await commitments.pledge("p-other")
    secretariat = commitments.secretariat()

    async def listing(**params: Any) -> dict[str, Any]:
        response = await commitments.client.get("/commitments", params=params, headers=secretariat)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def ids(body: dict[str, Any]) -> list[str]:
        return [item["id"] for item in body["items"]]

    seen, params = [], {"partner": "p-acme", "limit": 2}
    while True:
        page = await listing(**params)
        assert page["total"] == 5
        seen += ids(page)
        if page["next"] is None:
            break
        params["after"] = page["next"]
    assert seen == pledged  # pledge order, none twice, none left out
    first = await listing(limit=2)
    assert ids(first) == pledged[:2] and first["next"]
    assert ids(await listing(limit=2, after=first["next"], offset=1)) == pledged[3:5]
    rest = await listing(after=first["next"])
    assert ids(rest) == [*pledged[2:], other] and rest["next"] is None
    assert ids(await listing(after="9999999999999999:")) == []  # after every pledge
    assert ids(await listing(after="0:")) == [*pledged, other]
    refused = await commitments.client.get(
        "/commitments", params={"after": "c-123"}, headers=secretariat
    )
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "after"
    # read on from the cursor by the listing's index, not by skipping what came before
    position = parse_cursor(first["next"])
    plan = await (
        commitments.db["commitments"]
        .find({"$and": [CommitmentFilter().query(), after(position, LIST_ORDER)]})
        .sort(LIST_ORDER)
        .explain()
    )
    winning = str(plan["queryPlanner"]["winningPlan"])
    assert "IXSCAN" in winning and "COLLSCAN" not in winning and "SKIP" not in winning


async def test_every_filter_is_served_by_an_index(commitments: Harness) -> None:
    await commitments.active_partner("p-acme")
    await commitments.pledge("p-acme")
    collection = commitments.db["commitments"]
    filters = [
        CommitmentFilter(partner="p-acme"),
        CommitmentFilter(partnership="digital-ecosystem"),
        CommitmentFilter(status="active"),
        CommitmentFilter(country="DE"),
        CommitmentFilter(level="advanced"),
        CommitmentFilter(specialisation="cloud"),
        CommitmentFilter(deadline_to=date(2030, 1, 1)),
    ]
    for f in filters:
        plan = await collection.find(f.query()).sort(LIST_ORDER).explain()
        winning = str(plan["queryPlanner"]["winningPlan"])
        assert "IXSCAN" in winning and "COLLSCAN" not in winning, (f, winning)


async def test_partnership_targets(commitments: Harness) -> None:
    await commitments.active_partner("p-acme")
    body = {
        "partnership_id": "digital-ecosystem",
        "title": "1 million people trained in digital skills by 2030",
        "target_value": 1_000_000,
        "start_date": "2025-01-01",
        "deadline": "2030-12-31",
        "milestones": [
            {"due_date": f"{year}-12-31", "value": (year - 2024) * 150_000}
            for year in range(2025, 2030)
        ],
    }
    created = await commitments.client.post(
        "/partnership-targets", json=body, headers=commitments.secretariat()
    )
    assert created.status_code == 201, created.text
    target_id = created.json()["target_id"]
    assert created.json() == {"target_id": target_id, "version": 1}

    listed = await commitments.client.get(
        "/partnership-targets",
        params={"partnership": "digital-ecosystem"},
        headers=commitments.partner_token("p-acme"),
    )
    assert listed.status_code == 200
    [target] = listed.json()["items"]
    assert (target["id"], target["metric"], target["target_value"]) == (
        target_id,
        "people_trained",
        1_000_000,
    )
    assert len(target["milestones"]) == 5
    [event] = await read_events(commitments.commitment_topic, 1)
    assert event["event_type"] == "PartnershipTargetSet"
    assert (event["target_id"], event["target_version"], event["actor"]) == (
        target_id,
        1,
        "secretariat",
    )
    assert event["target"]["deadline"] == "2030-12-31"
    assert event["target"]["partnership_id"] == "digital-ecosystem"
