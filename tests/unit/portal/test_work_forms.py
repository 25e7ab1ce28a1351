"""The work pages' forms, read without a server: what is typed becomes the API's body, each
problem noted on its field, and the API's problems find their way back to the form's."""

from __future__ import annotations

from typing import Any

from portal.adapters.api import ApiError
from portal.entrypoints.commitment_forms import amendment_body, pledge_body
from portal.entrypoints.reporting_pages import HINTS, LABELS
from portal.entrypoints.work_forms import Form, api_errors, field_of, milestone_count

from pact_contracts.sheets.cells import FIGURES


def _(message: str, **params: Any) -> str:
    return message % params if params else message


FILLED = {
    "partnership_id": "digital-ecosystem", "title": "Cloud skills",
    "principle": "lifelong_learning", "action_type": "upskilling",
    "specialisations": ["cloud"], "levels": ["basic"], "countries": ["DE"],
    "metric": "people_trained", "target_value": "5,000",
    "start_date": "2026-01-01", "deadline": "2027-12-31", "cadence": "quarterly",
    "milestone_due_0": "", "milestone_value_0": "",
    "milestone_due_2": "2026-12-31", "milestone_value_2": "2,500",
}  # fmt: skip


def test_a_filled_pledge_form_is_the_apis_body() -> None:
    form = Form(dict(FILLED))
    body = pledge_body(form, _, for_partner=False)
    assert form.errors == {}
    assert body["target_value"] == 5000.0 and "partner_id" not in body
    assert body["milestones"] == [{"due_date": "2026-12-31", "value": 2500.0}]  # empty rows skipped
    assert form.values["_milestone_rows"] == [2]


def test_every_problem_is_noted_on_its_field() -> None:
    form = Form(FILLED | {"title": " ", "target_value": "5 000,5", "levels": [],
                          "milestone_due_2": "31/12/2026", "grace_days": "ten"})  # fmt: skip
    pledge_body(form, _, for_partner=True)
    assert set(form.errors) == {
        "title", "target_value", "levels", "milestone_due_2", "grace_days", "partner_id"
    }  # fmt: skip
    assert "31/12/2026 is not a date" in form.errors["milestone_due_2"]


def test_the_apis_problems_land_on_the_forms_fields() -> None:
    form = Form(dict(FILLED))
    pledge_body(form, _, for_partner=False)
    rows = form.values["_milestone_rows"]
    problems: list[dict[str, Any]] = [
        {"field": "milestones.0.value", "message": "must be below the target"},
        {"field": "countries.1", "message": "not a country"},
        {"field": None, "message": "something else"},
    ]
    exc = ApiError(422, "invalid", "milestones.0.value", "bad", problems)
    api_errors(form, exc, lambda f: field_of(f, rows))
    assert form.errors == {
        "milestone_value_2": "must be below the target",  # the row it came from
        "countries": "not a country",
        "form": "something else",
    }


def test_an_amendment_sends_only_what_changed() -> None:
    current = {"target_value": 5000.0, "deadline": "2027-12-31",
               "milestones": [{"due_date": "2026-12-31", "value": 2500.0}]}  # fmt: skip
    form = Form({"reason": "Scope extended", "target_value": "6000", "deadline": "2027-12-31",
                 "milestone_due_0": "2026-12-31", "milestone_value_0": "2500"})  # fmt: skip
    assert amendment_body(form, _, current) == {"reason": "Scope extended", "target_value": 6000.0}


def test_more_milestone_rows_are_offered_on_request() -> None:
    assert milestone_count(Form({})) == 3
    assert milestone_count(Form({"milestone_due_4": "2026-01-01"})) == 5
    assert milestone_count(Form({"more_rows": "1"})) == 6


def test_every_figure_of_the_report_form_has_a_label_and_a_hint() -> None:
    """The form's fields come from the contract: a figure added there is shown with words of
    the portal's (translated), never by its field name."""
    unlabelled = [f.name for f in FIGURES if f.name not in LABELS or f.name not in HINTS]
    print("figures without a label or a hint:", unlabelled)
    assert unlabelled == []
