"""People's roles in commitments (issue 15): a coordinator and a reporter pledge, amend and
withdraw, named by their email in the history; a viewer only reads; a reporting key reads
nothing here; partnership targets are the secretariat's."""

from __future__ import annotations

import pytest

from pact_common.auth import Principal, Role
from pact_common.permissions import KeyScope, UserRole

from .conftest import DIGITAL, Harness, pledge

pytestmark = pytest.mark.integration


def _headers(h: Harness, principal: Principal) -> dict[str, str]:
    return {"Authorization": f"Bearer {h.issuer.issue(principal)}"}


def person(h: Harness, role: UserRole, partner_id: str = "p-acme") -> dict[str, str]:
    if role.is_secretariat:
        principal = Principal(f"usr-{role.value}", Role.SECRETARIAT, user_role=role,
                              email=f"{role.value}@secretariat.example")  # fmt: skip
    else:
        principal = Principal(f"usr-{role.value}", Role.PARTNER, partner_id, 1, user_role=role,
                              email=f"{role.value}@acme.example")  # fmt: skip
    return _headers(h, principal)


def _refused(answer: object, code: str = "role_not_allowed") -> None:
    assert answer.status_code == 403, answer.text  # type: ignore[attr-defined]
    assert answer.json()["error"]["code"] == code  # type: ignore[attr-defined]


async def test_who_pledges_amends_and_withdraws_by_role(commitments: Harness) -> None:
    h = commitments
    await h.active_partner("p-acme")
    viewer, reporter = person(h, UserRole.VIEWER), person(h, UserRole.REPORTER)
    coordinator = person(h, UserRole.COORDINATOR)
    key = _headers(h, Principal("key-1", Role.PARTNER, "p-acme", 1, key_scope=KeyScope.REPORTING))

    _refused(await h.client.post("/commitments", json=pledge(), headers=viewer))
    _refused(await h.client.post("/commitments", json=pledge(), headers=key))
    _refused(await h.client.get("/commitments", headers=key))
    assert (await h.client.get("/commitments", headers=viewer)).status_code == 200

    made = await h.client.post("/commitments", json=pledge(), headers=reporter)
    assert made.status_code == 201, made.text
    cid = made.json()["commitment_id"]
    amendment = {"reason": "more people than planned", "target_value": 6000}
    _refused(await h.client.post(f"/commitments/{cid}/amendments", json=amendment, headers=viewer))
    amended = await h.client.post(
        f"/commitments/{cid}/amendments", json=amendment, headers=coordinator
    )
    assert amended.status_code == 200, amended.text
    withdrawal = {"reason": "the programme was cancelled"}
    _refused(await h.client.post(f"/commitments/{cid}/withdraw", json=withdrawal, headers=viewer))
    done = await h.client.post(f"/commitments/{cid}/withdraw", json=withdrawal, headers=reporter)
    assert done.status_code == 200, done.text
    actors = [entry["actor"] for entry in done.json()["history"]]
    assert actors == ["reporter@acme.example", "coordinator@acme.example", "reporter@acme.example"]


async def test_partnership_targets_are_the_secretariats(commitments: Harness) -> None:
    h = commitments
    await h.active_partner("p-acme")
    target = {
        "partnership_id": DIGITAL,
        "title": "Digital skills for a million people",
        "metric": "people_trained",
        "target_value": 1_000_000,
        "start_date": "2026-01-01",
        "deadline": "2030-12-31",
    }
    # the domain's own rule (secretariat_only), as for the partner's key
    by_coordinator = await h.client.post(
        "/partnership-targets", json=target, headers=person(h, UserRole.COORDINATOR)
    )
    assert by_coordinator.status_code == 403, by_coordinator.text
    assert by_coordinator.json()["error"]["field"] == "authorization"
    by_officer = await h.client.post(
        "/partnership-targets", json=target, headers=person(h, UserRole.OFFICER)
    )
    assert by_officer.status_code == 201, by_officer.text
