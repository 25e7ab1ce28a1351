"""A partner reads no group whose figures come from fewer than 3 partners (a country with one
partner would show that partner's figures): such a scope is refused, listings and the annual
report leave it out, and the totals still count it. The secretariat sees every group."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.kafka import wait_until

from .conftest import Monitoring, report

pytestmark = pytest.mark.integration

#: partner -> (its commitment's countries, level, partnership, its report's people per country)
WORLD: dict[str, tuple[list[str], str, str, dict[str, int]]] = {
    "p-a": (["DE", "IT"], "advanced", "digital-ecosystem", {"DE": 50, "IT": 50}),
    "p-b": (["DE", "IT"], "advanced", "digital-ecosystem", {"DE": 200}),
    "p-c": (["DE", "IT"], "advanced", "digital-ecosystem", {"DE": 300}),
    "p-d": (["PT"], "basic", "solo-lsp", {"PT": 40}),
}


async def world(m: Monitoring) -> None:
    """DE: 3 partners' figures (shown); IT: 3 partners' commitments but 1 partner's figures,
    PT, basic and solo-lsp: 1 partner (all suppressed for partners)."""
    for partner_id, (_, _, partnership, _) in WORLD.items():
        await m.partner(partner_id, partnerships=[partnership])
    for partner_id, (countries, level, partnership, _) in WORLD.items():
        await m.commitment(
            f"c-{partner_id}",
            partner_id=partner_id,
            partnership_id=partnership,
            countries=countries,
            levels=[level],
        )
    for partner_id in WORLD:
        await m.wait_for_partner(partner_id)
        await m.wait_for_commitment(f"c-{partner_id}")
    for partner_id, (_, _, _, by_country) in WORLD.items():
        trained = sum(by_country.values())
        await m.send(
            report(
                "2026-Q1",
                trained,
                partner_id=partner_id,
                commitment_id=f"c-{partner_id}",
                by_country=by_country,
            )
        )
    for partner_id, (_, _, _, by_country) in WORLD.items():
        query = {"_id": f"c-{partner_id}", "achieved": sum(by_country.values())}
        await wait_until(lambda q=query: m.db["commitments"].find_one(q))
    await wait_until(m.views_kept)  # the partners per scope, when the views are kept apart


async def test_groups_of_fewer_than_3_partners_are_the_secretariats_to_see(
    monitoring: Monitoring,
) -> None:
    m = monitoring
    await world(m)
    partner, secretariat = m.token("p-a"), m.token(None)

    async def get(path: str, headers: dict[str, str], **params: Any) -> Any:
        return await m.http.get(path, params=params, headers=headers)

    countries = (await get("/progress/countries", partner)).json()
    assert [(c["id"], c["people_trained"]) for c in countries["items"]] == [("DE", 550)]
    assert countries["suppressed"] == 2  # IT, PT
    everywhere = (await get("/progress/countries", secretariat)).json()
    assert [(c["id"], c["people_trained"]) for c in everywhere["items"]] == [
        ("DE", 550),
        ("IT", 50),
        ("PT", 40),
    ]
    assert everywhere["suppressed"] == 0
    levels = (await get("/progress/levels", partner)).json()
    assert ([c["id"] for c in levels["items"]], levels["suppressed"]) == (["advanced"], 1)

    for path in (
        "/progress/countries/IT",
        "/progress/countries/PT",
        "/progress/levels/basic",
        "/progress/partnerships/solo-lsp",
        "/progress/partnerships/solo-lsp/series",
    ):
        refused = await get(path, partner)
        assert refused.status_code == 403, (path, refused.text)
        assert refused.json()["error"]["code"] == "too_few_partners"
        assert (await get(path, secretariat)).status_code == 200, path
    for path in (
        "/progress/countries/DE",
        "/progress/levels/advanced",
        "/progress/partnerships/digital-ecosystem/series",
        "/progress/countries/GR",  # nobody's figures: nothing of anyone to hide
    ):
        assert (await get(path, partner)).status_code == 200, path
    de = (await get("/progress/countries/DE", partner)).json()
    assert de["totals"]["people_trained"] == 550

    annual = (await get("/reports/annual", partner, year=2026)).json()
    assert annual["people_trained"] == 640  # every group counts in the total
    assert [p["partnership_id"] for p in annual["partnerships"]] == ["digital-ecosystem"]
    assert [c["country"] for c in annual["by_country"]] == ["DE"]
    assert [level["level"] for level in annual["by_level"]] == ["advanced"]
    assert annual["suppressed_groups"] == 4  # solo-lsp, IT, PT, basic
    full = (await get("/reports/annual", secretariat, year=2026)).json()
    assert full["people_trained"] == 640 and full["suppressed_groups"] == 0
    assert [c["country"] for c in full["by_country"]] == ["DE", "IT", "PT"]
    as_csv = (await get("/reports/annual", partner, year=2026, format="csv")).text
    assert [line.split(",")[1:3] for line in as_csv.splitlines()[1:]] == [
        ["total", ""],
        ["partnership", "digital-ecosystem"],
        ["country", "DE"],
        ["level", "advanced"],
    ]
    solo = await get("/reports/annual", partner, year=2026, partnership="solo-lsp")
    assert (solo.status_code, solo.json()["error"]["code"]) == (403, "too_few_partners")
    alone = await get("/reports/annual", m.token("p-d"), year=2026, partnership="solo-lsp")
    assert alone.status_code == 403  # its own partnership too: the group is the rule
    own = await get("/progress/partners/p-d", m.token("p-d"))
    assert own.status_code == 200 and own.json()["totals"]["people_trained"] == 40
