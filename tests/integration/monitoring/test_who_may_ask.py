"""Monitoring answers the secretariat and the partners its read model knows to be active: a
partner it knows as pending (never approved), suspended or withdrawn is refused everything,
with the token it holds; so is a partner it has not heard of (it cannot tell it is active),
and a token issued before the partner's credentials changed (a rotated key)."""

from __future__ import annotations

import pytest

from pact_contracts import (
    PartnerRegistered,
    PartnerSnapshot,
    PartnerSuspended,
    PartnerUpdated,
    PartnerWithdrawn,
)
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
    unheard_of = await m.http.get("/progress/countries", headers=m.token("p-unheard-of"))
    assert unheard_of.status_code == 403
    assert unheard_of.json()["error"]["code"] == "unknown_partner"


async def test_tokens_older_than_the_partners_credentials_are_refused(
    monitoring: Monitoring,
) -> None:
    """The registry's events carry the partner's credential version: a token issued before a
    key rotation is refused (401), a withdrawn partner's token too (403)."""
    m = monitoring
    await m.partner()  # p-acme, active, credentials 1
    rotated = PartnerSnapshot.model_validate(PARTNER.model_dump() | {"credential_version": 2})
    await m.send(
        PartnerUpdated(
            partner_id="p-acme",
            partner_version=3,
            partner=rotated,
            changed_fields=["credential_version"],
        )
    )
    gone = PartnerSnapshot.model_validate(
        PARTNER.model_dump() | {"status": "withdrawn", "credential_version": 2}
    )
    await m.send(PartnerWithdrawn(partner_id="p-gone", partner_version=4, partner=gone))
    await m.wait_for_partner("p-acme", 3)
    await m.wait_for_partner("p-gone", 4)
    paths = ("/reports/annual", "/progress/countries", "/alerts", "/progress/rejections")
    for path in paths:
        old = await m.http.get(path, params={"year": 2026}, headers=m.token("p-acme"))
        assert old.status_code == 401, (path, old.text)
        assert old.json()["error"]["code"] == "token_revoked"
        new = await m.http.get(path, params={"year": 2026}, headers=m.token("p-acme", 2))
        assert new.status_code == 200, (path, new.text)
        for credentials in (1, 2):
            withdrawn = await m.http.get(
                path, params={"year": 2026}, headers=m.token("p-gone", credentials)
            )
            assert withdrawn.status_code == 403, (path, withdrawn.text)
            assert withdrawn.json()["error"]["code"] == "partner_not_allowed"
    report = {"partner_id": "p-acme", "commitment_id": "c-cloud", "period": "2026-Q1"}
    posted = await m.http.post(
        "/progress", json=report | {"people_trained": 5}, headers=m.token("p-acme")
    )
    assert posted.status_code == 401 and posted.json()["error"]["code"] == "token_revoked"
