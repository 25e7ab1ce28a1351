"""A partner's spreadsheet export, checked row by row before anything is sent."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from pactctl.progress_csv import COLUMNS, check_progress_csv

from .samples import BAD_CSV, BAD_CSV_ERRORS, GOOD_CSV, HEADER

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)

#: the figures of issue 17, each with its breakdowns (null when not given)
NEW_FIGURES = ("people_placed_in_jobs", "new_entrants", "certificates_issued")


def problems(text: str) -> list[tuple[int, str, str, str]]:
    checked = check_progress_csv(text, partner_id="p-1", today=TODAY)
    return [(e.line, e.field, e.rule, e.message) for e in checked.errors]


def test_a_good_file_gives_one_contract_report_per_row() -> None:
    checked = check_progress_csv(
        GOOD_CSV,
        partner_id="p-3f2a9c1e",
        producer="acme-hr",
        today=TODAY,
        clock=lambda: NOW,
        new_id=lambda: uuid.UUID("8d0c4a9e-2f7b-4a58-9f0e-3c1d2b4a5e6f"),
    )
    assert checked.ok and checked.errors == []
    assert [r.line for r in checked.rows] == [2, 3, 4]
    first, second, third = (r.report.to_jsonable() for r in checked.rows)
    assert first == {
        "event_id": "8d0c4a9e-2f7b-4a58-9f0e-3c1d2b4a5e6f",
        "event_type": "ProgressReported",
        "schema_version": 1,
        "occurred_at": "2026-11-26T09:30:00Z",
        "producer": "acme-hr",
        "correlation_id": None,
        "causation_id": None,
        "partner_id": "p-3f2a9c1e",
        "commitment_id": "c-7b1d3e5f",
        "period": "2026-Q2",
        "revision": 1,
        "people_trained": 120,
        "by_level": {"basic": 20, "intermediate": 50, "advanced": 40, "expert": 10},
        "by_country": {"DE": 70, "FR": 50},
        "by_gender": {"female": 50, "male": 68, "undisclosed": 2},
        "programmes_developed": 2,
        "investment_eur": 150000.5,
        "people_reached": 4000,
        "people_placed_in_jobs": None,
        "new_entrants": None,
        "certificates_issued": None,
        **{f"{n}_by_{k}": None for n in NEW_FIGURES for k in ("level", "country", "gender")},
        "learners_sketch": None,
    }
    # Empty cells are "not given": a revision of 1, breakdowns of the cells filled only.
    assert (second["revision"], second["by_level"], second["by_country"]) == (
        1,
        {"advanced": 90},
        {"DE": 90},
    )
    assert second["by_gender"] is None and second["investment_eur"] is None
    assert (third["period"], third["revision"], third["people_trained"]) == ("2026-09", 2, 15)
    assert third["by_level"] is None and third["people_reached"] is None


def test_every_bad_row_is_reported_with_its_line_field_and_rule() -> None:
    checked = check_progress_csv(BAD_CSV, partner_id="p-1", today=TODAY)
    assert [(e.line, e.field, e.rule, e.message) for e in checked.errors] == BAD_CSV_ERRORS
    assert not checked.ok
    assert str(checked.errors[0]) == (
        "line 2: by_level: by_level_* sum to 110, but people_trained is 120"
    )


def test_header_problems_are_on_line_1_and_stop_the_check() -> None:
    text = "commitment_id,period,people_trainde,by_level_guru,period\nc-1,2026-Q1,3,1,x\n"
    assert problems(text) == [
        (1, "period", "duplicate_column", "column period appears twice"),
        (1, "people_trainde", "unknown_column",
         f"unknown column 'people_trainde'; the columns are: {', '.join(COLUMNS)}"),
        (1, "by_level_guru", "unknown_column",
         f"unknown column 'by_level_guru'; the columns are: {', '.join(COLUMNS)}"),
        (1, "people_trained", "missing_column", "column people_trained is required"),
    ]  # fmt: skip


def test_an_empty_file_or_a_header_alone_is_refused() -> None:
    assert problems("") == [(1, "header", "no_header", "the file has no header row")]
    assert problems("commitment_id,period,people_trained\n") == [
        (2, "row", "no_rows", "the file has no data rows")
    ]


def test_semicolon_files_with_bom_and_quoted_multiline_cells_keep_true_line_numbers() -> None:
    text = (
        "\ufeffcommitment_id;period;people_trained;by_country\n"
        'c-1;2026-Q1;10;"DE:4;\nFR:6"\n'  # one row over lines 2 and 3
        "c-1;2026-Q2;10;DE:9\n"
        "c-1;2026-Q3;7;de : 7\n"
    )
    checked = check_progress_csv(text, partner_id="p-1", today=TODAY)
    assert [(e.line, e.rule) for e in checked.errors] == [(4, "breakdown_sum")]
    assert [(r.line, r.report.by_country) for r in checked.rows] == [
        (2, {"DE": 4, "FR": 6}),
        (5, {"DE": 7}),
    ]


def test_more_cells_than_columns_and_misplaced_thousands_separators_are_named() -> None:
    text = f'{HEADER}\nc-1,2026-Q1,1,"1,20",,,,,,,,,,,,,extra\n'
    assert problems(text) == [
        (2, "row", "extra_cells", "17 cells, but the header has 16"),
        (2, "people_trained", "not_a_whole_number",
         "'1,20' is not a whole number (thousands grouped by three: 1,200)"),
    ]  # fmt: skip


def test_thousands_separators_grouping_three_digits_are_read() -> None:
    text = 'commitment_id,period,people_trained,investment_eur\nc-1,2026-Q1,"1,200","150,000.50"\n'
    checked = check_progress_csv(text, partner_id="p-1", today=TODAY)
    assert checked.errors == []
    assert [(r.report.people_trained, r.report.investment_eur) for r in checked.rows] == [
        (1200, 150000.50)
    ]


def test_a_european_excel_export_with_decimal_commas_bom_and_crlf_is_read() -> None:
    text = (
        "\ufeffcommitment_id;period;people_trained;investment_eur;people_reached\r\n"
        "c-1;2026-Q1;1.200;150.000,50;4000\r\n"
        "c-1;2026-Q2;30;99,9;\r\n"
        "c-1;2026-Q3;30;1200.25;\r\n"
    )
    checked = check_progress_csv(text, partner_id="p-1", today=TODAY)
    assert checked.errors == []
    assert [(r.line, r.report.people_trained, r.report.investment_eur) for r in checked.rows] == [
        (2, 1200, 150000.50), (3, 30, 99.9), (4, 30, 1200.25),
    ]  # fmt: skip


def test_a_decimal_comma_in_a_comma_separated_file_needs_the_option() -> None:
    text = 'commitment_id,period,people_trained,investment_eur\nc-1,2026-Q1,5,"99,9"\n'
    assert problems(text) == [
        (2, "investment_eur", "decimal_comma",
         "'99,9' is not an amount in euros, 0 or more (write e.g. 150,000.50 or 150000.50; "
         "decimal commas: a semicolon-separated file or --decimal-comma)"),
    ]  # fmt: skip
    checked = check_progress_csv(text, partner_id="p-1", today=TODAY, decimal_comma=True)
    assert [r.report.investment_eur for r in checked.rows] == [99.9]


def test_the_commitment_may_be_given_for_a_file_without_the_column() -> None:
    text = "period,people_trained\n2026-Q1,5\n2026-Q2,6\n"
    checked = check_progress_csv(text, partner_id="p-1", today=TODAY, commitment_id="c-9")
    assert checked.errors == []
    assert [(r.report.commitment_id, r.report.period) for r in checked.rows] == [
        ("c-9", "2026-Q1"), ("c-9", "2026-Q2"),
    ]  # fmt: skip


def test_a_country_cell_must_be_country_colon_count() -> None:
    text = "commitment_id,period,people_trained,by_country\nc-1,2026-Q1,5,DE=5\n"
    assert problems(text) == [
        (2, "by_country", "country_format", "'DE=5' is not COUNTRY:COUNT (write e.g. DE:70;FR:50)")
    ]


def test_months_and_lowercase_quarters_are_periods() -> None:
    text = "commitment_id,period,people_trained\nc-1,2026-q4,1\nc-2,2026-11,2\nc-3,2026-13,3\n"
    checked = check_progress_csv(text, partner_id="p-1", today=TODAY)
    assert [r.report.period for r in checked.rows] == ["2026-Q4", "2026-11"]
    assert [(e.line, e.rule) for e in checked.errors] == [(4, "period_format")]
