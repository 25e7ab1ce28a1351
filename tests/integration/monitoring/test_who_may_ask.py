"""Monitoring answers the secretariat and the partners its read model knows to be active: a
partner it knows as pending (never approved) or suspended is refused everything, with the
token it holds; one it has not heard of yet is not refused for that."""

from __future__ import annotations

import pytest

from pact_contracts import PartnerRegistered, PartnerSnapshot, PartnerSuspended
from tests.support.examples import PARTNER

from .conftest import Monitoring

pytestmark = pytest.mark.integration


async def test_only_partners_known_to_be_active_are_answered(monitoring: Monitoring) -> None:
    m = monitoring
    await m.partner()  # p-acme, active
    pending = PartnerSnapshot.model_validate(PARTNER.model_dump() | {"status": "pending"})
    await m.send(PartnerRegistered(partner_id="p-new", partner_version=1, partner=pending))
    suspended = PartnerSnapshot.model_validate(PARTNER.model_dump() | {"status": "suspended"})
    await m.send(PartnerSuspended(partner_id="p-sus", partner_version=3, partner=suspended))
    await m.wait_for_partner("p-new", 1)
    await m.wait_for_partner("p-sus", 3)

    async def status(partner_id: str | None, path: str) -> int:
        answer = await m.http.get(path, params={"year": 2026}, headers=m.token(partner_id))
        return answer.status_code

    paths = ("/reports/annual", "/progress/countries", "/alerts", "/progress/rejections")
    got = {(who, path): await status(who, path) for who in ("p-new", "p-sus") for path in paths}
    print(got)
    assert set(got.values()) == {403}
    refused = await m.http.get("/reports/annual", params={"year": 2026}, headers=m.token("p-new"))
    assert refused.json()["error"] == {
        "code": "partner_not_allowed",
        "message": "partner p-new is pending",
        "field": "authorization",
    }
    assert await status("p-acme", "/reports/annual") == 200
    assert await status(None, "/reports/annual") == 200  # the secretariat
    assert await status("p-unheard-of", "/progress/countries") == 200
