"""The progress report is the public interface partner systems code against."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from pact_contracts import PROGRESS_REPORTED, ProgressReported, key_for
from tests.support.examples import PROGRESS_WIRE_FORM


def report(**changes: Any) -> dict[str, Any]:
    body = dict(PROGRESS_WIRE_FORM)
    for key, value in changes.items():
        if value is ...:
            body.pop(key)
        else:
            body[key] = value
    return body


def errors_of(body: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as info:
        ProgressReported.model_validate_json(json.dumps(body))
    return str(info.value)


def test_the_documented_wire_form_parses_and_round_trips() -> None:
    parsed = ProgressReported.model_validate_json(json.dumps(PROGRESS_WIRE_FORM))
    assert parsed.people_trained == 120
    assert parsed.by_country == {"DE": 70, "FR": 50}
    again = json.loads(parsed.to_bytes())
    assert again["occurred_at"] == "2026-10-05T09:30:00Z"
    assert {k: v for k, v in again.items() if k in PROGRESS_WIRE_FORM} == PROGRESS_WIRE_FORM
    assert key_for(parsed) == b"p-acme"  # a partner's reports on one partition
    assert PROGRESS_REPORTED.name == "partners.progress-reported.v1"


def test_optional_fields_may_be_left_out() -> None:
    minimal = report(
        by_level=...,
        by_country=...,
        by_gender=...,
        producer=...,
        programmes_developed=...,
        investment_eur=...,
        people_reached=...,
    )
    assert ProgressReported.model_validate(minimal).by_level is None


@pytest.mark.parametrize(
    ("changes", "names"),
    [
        ({"surprise": 1}, "surprise"),
        ({"people_trained": -1}, "people_trained"),
        ({"people_trained": "120"}, "people_trained"),
        ({"people_trained": 12.5}, "people_trained"),
        ({"period": "2026-Q5"}, "period"),
        ({"period": "2026-13"}, "period"),
        ({"revision": 0}, "revision"),
        ({"by_country": {"EL": 70, "FR": 50}}, "by_country"),
        ({"by_country": {"US": 120}}, "by_country"),
        ({"by_level": {"guru": 120}}, "by_level"),
        ({"by_level": {"basic": 100}}, "by_level must sum to people_trained (120)"),
        ({"by_gender": {"female": 1, "male": 1}}, "by_gender must sum"),
        (  # the new figures' breakdowns sum to their figure (issue 17)
            {"people_placed_in_jobs": 35, "people_placed_in_jobs_by_level": {"advanced": 30}},
            "people_placed_in_jobs_by_level must sum to people_placed_in_jobs (35), but sums to 30",
        ),
        (  # a breakdown of a figure not given sums to 0
            {"new_entrants_by_country": {"RO": 5}},
            "new_entrants_by_country must sum to new_entrants (0), but sums to 5",
        ),
        ({"certificates_issued_by_gender": {"guru": 1}}, "certificates_issued_by_gender"),
        ({"occurred_at": "2026-10-05T09:30:00"}, "occurred_at"),
        ({"event_id": "not-a-uuid"}, "event_id"),
        ({"schema_version": 2}, "schema_version"),
        ({"event_type": "ProgressReport"}, "event_type"),
        ({"partner_id": ...}, "partner_id"),
        ({"investment_eur": -5.0}, "investment_eur"),
    ],
)
def test_invalid_reports_are_refused_naming_the_field(changes: dict[str, Any], names: str) -> None:
    assert names in errors_of(report(**changes))


def test_extra_fields_are_rejected_not_ignored() -> None:
    assert "Extra inputs are not permitted" in errors_of(report(people_trainde=1))


def test_occurred_at_is_stored_as_utc() -> None:
    parsed = ProgressReported.model_validate(report(occurred_at="2026-10-05T11:30:00+02:00"))
    assert parsed.to_jsonable()["occurred_at"] == "2026-10-05T09:30:00Z"


def test_the_new_figures_may_be_broken_down_like_people_trained() -> None:
    parsed = ProgressReported.model_validate(
        report(
            people_placed_in_jobs=35,
            people_placed_in_jobs_by_level={"advanced": 20, "expert": 15},
            people_placed_in_jobs_by_country={"RO": 35},
            people_placed_in_jobs_by_gender={"female": 18, "male": 17},
            certificates_issued=0,
            certificates_issued_by_level={},
        )
    )
    assert parsed.people_placed_in_jobs_by_country == {"RO": 35}
    assert parsed.new_entrants_by_level is None
