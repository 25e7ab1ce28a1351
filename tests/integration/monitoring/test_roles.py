"""People's roles in monitoring (issue 15): a reporter reports progress and acknowledges
alerts, named by its email; a viewer only reads; a reporting key only reports progress and
reads its rejections."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pact_common.auth import Principal, Role, TokenIssuer
from pact_common.dev_keys import DEV_JWT_PRIVATE_KEY
from pact_common.permissions import KeyScope, UserRole

from .conftest import Monitoring, report

pytestmark = pytest.mark.integration

OVERDUE = "ReportingOverdue:commitment:c-cloud"


def _headers(m: Monitoring, principal: Principal) -> dict[str, str]:
    s = m.settings
    issuer = TokenIssuer(DEV_JWT_PRIVATE_KEY, s.jwt_issuer, s.jwt_audience, timedelta(minutes=5))
    return {"Authorization": f"Bearer {issuer.issue(principal)}"}


def person(m: Monitoring, role: UserRole) -> dict[str, str]:
    principal = Principal(
        f"usr-{role.value}", Role.PARTNER, "p-acme", 1, user_role=role,
        email=f"{role.value}@acme.example", name=role.value.title(),
    )  # fmt: skip
    return _headers(m, principal)


def reporting_key(m: Monitoring) -> dict[str, str]:
    return _headers(m, Principal("key-1", Role.PARTNER, "p-acme", 1, key_scope=KeyScope.REPORTING))


async def test_who_reports_and_acknowledges_by_role(monitoring: Monitoring) -> None:
    m = monitoring
    await m.partner()
    await m.commitment()
    await m.alerts(2)  # mid-May 2026, nothing reported: overdue and at risk
    viewer, reporter = person(m, UserRole.VIEWER), person(m, UserRole.REPORTER)
    key = reporting_key(m)

    def refused(answer: object) -> None:
        assert answer.status_code == 403, answer.text  # type: ignore[attr-defined]
        error = answer.json()["error"]  # type: ignore[attr-defined]
        assert (error["code"], error["field"]) == ("role_not_allowed", "authorization")

    refused(await m.http.post("/progress", json=report("2025-Q1").to_jsonable(), headers=viewer))
    for who, period in ((reporter, "2025-Q2"), (key, "2025-Q3")):
        sent = await m.http.post("/progress", json=report(period).to_jsonable(), headers=who)
        assert sent.status_code == 202, sent.text
    assert (await m.http.get("/progress/rejections", headers=key)).status_code == 200
    assert (await m.http.get("/alerts", headers=viewer)).status_code == 200
    refused(await m.http.get("/alerts", headers=key))

    path = f"/alerts/{OVERDUE}/acknowledge"
    note = {"note": "The export failed; figures follow this week."}
    refused(await m.http.post(path, json=note, headers=viewer))
    refused(await m.http.post(path, json=note, headers=key))
    done = await m.http.post(path, json=note, headers=reporter)
    assert done.status_code == 200, done.text
    assert done.json()["acknowledgement"]["by"] == "reporter@acme.example"

    # silences: a viewer sees them and may not make or end one; a reporter may, named
    silence = {"matchers": {}, "ends_at": "2026-06-01T00:00:00Z", "comment": "LMS down"}
    refused(await m.http.post("/silences", json=silence, headers=viewer))
    made = await m.http.post("/silences", json=silence, headers=reporter)
    assert made.status_code == 201, made.text
    assert (made.json()["author"], made.json()["matchers"]) == (
        "reporter@acme.example",
        {"partner_id": "p-acme"},
    )
    assert (await m.http.get("/silences", headers=viewer)).json()["items"][0]["comment"] == (
        "LMS down"
    )
    refused(await m.http.post(f"/silences/{made.json()['silence_id']}/expire", headers=viewer))
