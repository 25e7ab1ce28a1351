"""Commitments answers the secretariat, active partners, and pending ones about their own
commitments; a token issued before the partner's credentials changed (as the registry's
events say) is revoked, and a partner commitments has not heard of is refused."""

from __future__ import annotations

import pytest

from pact_contracts import (
    Event,
    PartnerRegistered,
    PartnerRejected,
    PartnerSuspended,
    PartnerUpdated,
    PartnerWithdrawn,
)
from pact_contracts.registry import _PartnerEvent

from .conftest import Harness, partner_event, pledge

pytestmark = pytest.mark.integration


def _revised(event: Event, credentials: int) -> Event:
    """The registry's event with the partner's credentials at `credentials`."""
    assert isinstance(event, _PartnerEvent)
    return event.model_copy(
        update={"partner": event.partner.model_copy(update={"credential_version": credentials})}
    )


async def test_tokens_issued_before_the_partners_credentials_changed_are_revoked(
    commitments: Harness,
) -> None:
    h = commitments
    await h.active_partner("p-acme")
    commitment_id = await h.pledge("p-acme")
    rotated = partner_event(
        PartnerUpdated, "p-acme", 3, "active", changed_fields=["credential_version"]
    )
    await h.applied(_revised(rotated, 2))

    for method, path, body in (
        ("GET", "/commitments", None),
        ("GET", f"/commitments/{commitment_id}", None),
        ("GET", "/partnership-targets", None),
        ("POST", "/commitments", pledge()),
    ):
        old = await h.client.request(method, path, json=body, headers=h.partner_token("p-acme"))
        assert old.status_code == 401, (path, old.text)
        assert old.json()["error"]["code"] == "token_revoked"
    fresh = h.partner_token("p-acme", credentials=2)
    assert (await h.client.get("/commitments", headers=fresh)).status_code == 200
    # a token newer than what commitments has heard of is the registry's word: it passes
    assert (await h.client.get("/commitments", headers=h.partner_token("p-acme", 3))).is_success


async def test_suspended_withdrawn_rejected_and_unknown_partners_are_refused(
    commitments: Harness,
) -> None:
    h = commitments
    for partner_id in ("p-sus", "p-gone"):
        await h.active_partner(partner_id)
    await h.applied(
        _revised(partner_event(PartnerSuspended, "p-sus", 3, "suspended"), 2),
        _revised(partner_event(PartnerWithdrawn, "p-gone", 3, "withdrawn"), 2),
        partner_event(PartnerRegistered, "p-no", 1, "pending"),
        _revised(partner_event(PartnerRejected, "p-no", 2, "rejected"), 2),
    )
    for partner_id, status in (
        ("p-sus", "suspended"),
        ("p-gone", "withdrawn"),
        ("p-no", "rejected"),
    ):
        for credentials in (1, 2):  # before and after the change: refused for the status
            answer = await h.client.get(
                "/commitments", headers=h.partner_token(partner_id, credentials)
            )
            assert answer.status_code == 403, answer.text
            assert answer.json()["error"] == {
                "code": "partner_not_allowed",
                "message": f"partner {partner_id} is {status}",
                "field": "authorization",
            }
    unknown = await h.client.get("/commitments", headers=h.partner_token("p-unheard-of"))
    assert unknown.status_code == 403
    assert unknown.json()["error"]["code"] == "unknown_partner"


async def test_a_pending_partner_reads_its_own_commitments_only(commitments: Harness) -> None:
    h = commitments
    await h.applied(partner_event(PartnerRegistered, "p-new", 1, "pending"))
    me = h.partner_token("p-new")
    own = await h.client.get("/commitments", headers=me)
    assert own.status_code == 200 and own.json()["items"] == []
    targets = await h.client.get("/partnership-targets", headers=me)
    assert targets.status_code == 403, targets.text
    assert targets.json()["error"]["code"] == "partner_not_allowed"
    refused = await h.client.post("/commitments", json=pledge(), headers=me)
    assert refused.status_code == 422  # not yet: partner_not_active, as before
    assert refused.json()["error"]["code"] == "partner_not_active"
