"""The silences page's form -> monitoring's body: matchers filled in only, a partner's people
never name a partner (monitoring makes it theirs), an end from the hours chosen, each problem
on its field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal.entrypoints.silences_pages import body_of
from portal.entrypoints.work_forms import Form
from portal.session import SignedIn

NOW = datetime(2026, 11, 26, 9, tzinfo=UTC)
COORDINATOR = SignedIn("t", "u-1", "c@acme.example", "Ana", "coordinator", "p-acme", False)
ADMIN = SignedIn("t", "u-2", "a@pact.example", "Inès", "admin", None, True)


def _(text: str) -> str:
    return text


def test_only_the_matchers_filled_in_and_an_end_from_now() -> None:
    form = Form({"rule": "CommitmentAtRisk", "severity": "", "partner_id": "p-other",
                 "commitment_id": "c-1", "hours": "24", "comment": "LMS down"})  # fmt: skip
    assert body_of(form, COORDINATOR, _, NOW) == {
        "matchers": {"rule": "CommitmentAtRisk", "commitment_id": "c-1"},
        "ends_at": (NOW + timedelta(hours=24)).isoformat(),
        "comment": "LMS down",
    }
    form = Form({"partner_id": "p-other", "hours": "1", "comment": "x"})
    assert body_of(form, ADMIN, _, NOW)["matchers"] == {"partner_id": "p-other"}  # type: ignore[index]


def test_each_problem_is_on_its_field() -> None:
    form = Form({"rule": "Nope", "severity": "loud", "hours": "0", "comment": ""})
    assert body_of(form, ADMIN, _, NOW) is None
    assert set(form.errors) == {"rule", "severity", "hours", "comment"}
