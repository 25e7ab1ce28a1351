"""GET /progress/commitments: many commitments' progress at once (what the portal's
dashboard draws), a partner's own only, with the alerts firing and where each one's pace
leads."""

from __future__ import annotations

import pytest

from tests.support.kafka import wait_until

from .conftest import Monitoring, report

pytestmark = pytest.mark.integration


async def test_commitments_progress_is_listed_for_its_owner_and_the_secretariat(
    monitoring: Monitoring,
) -> None:
    m = monitoring
    await m.partner()
    await m.partner("p-other")
    await m.commitment()
    await m.commitment("c-theirs", partner_id="p-other")
    await m.wait_for_commitment()
    await m.wait_for_commitment("c-theirs")
    await m.wait_for_partner()  # their tokens are answered once monitoring knows them
    await m.wait_for_partner("p-other")
    await m.send(report("2025-Q1", 600))
    await m.wait_for_commitment()

    async def listed(**params: str) -> list[dict[str, object]]:
        headers = m.token(params.pop("as_partner", "p-acme") or None)
        answer = await m.http.get("/progress/commitments", params=params, headers=headers)
        assert answer.status_code == 200, answer.text
        return list(answer.json()["items"])

    async def applied() -> list[dict[str, object]]:
        mine = await listed()
        return mine if mine and mine[0]["achieved"] == 600 else []

    # waited for by time, not by a count of asks (a loaded run took longer than 100 asks)
    mine = await wait_until(applied, timeout=30)
    assert [c["commitment_id"] for c in mine] == ["c-cloud"]
    assert [p["period"] for p in mine[0]["periods"]] == ["2025-Q1"]
    assert mine[0]["projected"] is not None
    everyone = await listed(as_partner="")
    assert {c["commitment_id"] for c in everyone} == {"c-cloud", "c-theirs"}
    theirs = await listed(as_partner="", partner="p-other", limit="1")
    assert [c["commitment_id"] for c in theirs] == ["c-theirs"]

    refused = await m.http.get(
        "/progress/commitments", params={"partner": "p-other"}, headers=m.token()
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["field"] == "partner"
