"""The figures a report carries are declared once (monitoring/core/domain/figures.py). A
figure of the contract that is not declared fails loudly; one that is declared is carried
end to end: storage, sums, rollups, the annual report (JSON and CSV), the HTTP answers and
the CSV import. Nothing is dropped silently."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from pydantic import Field, create_model

from monitoring.core.adapters.documents import commitment_doc, figures_doc, figures_from, read_doc
from monitoring.core.adapters.report_codec import UndeclaredFigure, declared, to_report
from monitoring.core.domain.figures import AMOUNTS, BREAKDOWNS, FIGURES, Kind
from monitoring.core.domain.progress import CommitmentProgress
from monitoring.core.domain.rollups import COUNTRY, LEVEL, PARTNER, contribution, rollup_key
from monitoring.views.domain.annual_report import annual_report, annual_rows
from monitoring.views.entrypoints import progress_schemas
from monitoring.views.entrypoints.aggregate_schemas import AnnualReportOut
from pact_contracts import ProgressReported
from pact_contracts.progress import ATTACHMENTS, NOT_FIGURES, FigureKind, report_figures
from pactctl.progress_cells import figure_columns
from pactctl.progress_csv import COLUMNS, check_progress_csv

from .builders import NOW, commitment

#: What identifies a report and its envelope, written out here on purpose: any other field
#: of ProgressReported is a figure and must be declared.
IDENTITY = {
    "event_id",
    "event_type",
    "schema_version",
    "occurred_at",
    "producer",
    "correlation_id",
    "causation_id",
    "partner_id",
    "commitment_id",
    "period",
    "revision",
}
KINDS = {FigureKind.COUNT: Kind.COUNT, FigureKind.EUROS: Kind.MONEY}
KINDS[FigureKind.BREAKDOWN] = Kind.BREAKDOWN


def test_every_figure_of_the_contract_is_declared_with_its_kind() -> None:
    assert NOT_FIGURES == IDENTITY
    in_contract = {
        name: KINDS[figure.kind]
        for figure in report_figures()
        for name in [figure.name]
        if name not in IDENTITY
    }
    # beside the figures, a report carries attachments handled on their own (learners_sketch)
    assert {"learners_sketch"} == ATTACHMENTS
    assert set(ProgressReported.model_fields) - IDENTITY - ATTACHMENTS == set(in_contract)
    assert {s.reported_as: s.kind for s in FIGURES} == in_contract
    assert declared(ProgressReported) == FIGURES


def a_value_for_every_figure(scale: int) -> dict[str, Any]:
    """A distinct value for each figure of the contract; breakdowns sum to their figure."""
    values: dict[str, Any] = {}
    for i, figure in enumerate(report_figures()):
        if figure.kind is FigureKind.EUROS:
            values[figure.name] = 1234.56 * scale
        elif figure.kind is FigureKind.COUNT:
            values[figure.name] = (7 + 10 * i) * scale
    values["people_trained"] = 120 * scale
    for figure in report_figures():
        if figure.kind is FigureKind.BREAKDOWN:
            first, second = figure.keys[:2]
            whole = values[figure.of]
            values[figure.name] = {first: whole - scale, second: scale}
    return values


def received(period: str, scale: int) -> Any:
    event = ProgressReported(
        partner_id="p-acme",
        commitment_id="c-cloud",
        period=period,
        occurred_at=NOW,
        **a_value_for_every_figure(scale),
    )
    raw = event.to_jsonable()
    return to_report(event, raw, json.dumps(raw), None, "progress/0/1")


def test_a_report_carrying_every_figure_comes_out_everywhere() -> None:
    progress = CommitmentProgress(commitment(start_date=date(2025, 1, 1)))
    first, second = received("2025-Q1", 1), received("2025-Q2", 2)
    progress.apply(first, NOW)
    progress.apply(second, NOW)

    # storage: every figure stored under its name, and read back the same
    stored = figures_doc(first.figures)
    assert set(stored) == {s.name for s in FIGURES}
    assert all(stored[s.name] for s in FIGURES), stored
    assert figures_from(stored) == first.figures
    head, cells = commitment_doc(progress)
    cell = next(c for c in cells if c["period"] == "2025-Q1")
    assert all(cell[s.name] for s in FIGURES)
    assert all(head["totals"][s.name] for s in FIGURES)

    # sums: three times the first period, key by key
    totals = progress.totals
    for spec in AMOUNTS:
        assert getattr(totals, spec.name) == 3 * getattr(first.figures, spec.name), spec
    for spec in BREAKDOWNS:
        once = getattr(first.figures, spec.name)
        assert getattr(totals, spec.name) == {k: 3 * v for k, v in once.items()}, spec

    # rollups: the partner's totals carry every count and amount, scopes every breakdown key
    parts = contribution(progress)
    partner = parts[rollup_key(PARTNER, "p-acme")]
    for spec in AMOUNTS:
        assert getattr(partner, spec.name) == getattr(totals, spec.name), spec
    for spec in BREAKDOWNS:
        if spec.scope is not None:
            for key in getattr(totals, spec.name):
                assert getattr(parts[rollup_key(spec.scope, key)], spec.of) > 0, (spec, key)

    # the annual report, as domain, JSON and CSV
    report = annual_report(2025, [progress])
    scopes = {COUNTRY: report.countries, LEVEL: report.levels}
    for spec in AMOUNTS:
        assert getattr(report.total.figures, spec.name) == getattr(totals, spec.name), spec
    for spec in BREAKDOWNS:
        if spec.scope is None:
            assert report.breakdowns[spec.reported_as] == dict(getattr(totals, spec.name))
        else:
            assert set(getattr(totals, spec.name)) <= set(scopes[spec.scope]), spec
    answer = AnnualReportOut.from_report(report, {}, sorted(report.levels)).model_dump()
    total_row = annual_rows(report, {})[0]
    for spec in AMOUNTS:
        shown = spec.shown(getattr(totals, spec.name))
        assert answer[spec.reported_as] == pytest.approx(shown), spec
        assert float(str(total_row[spec.reported_as])) == pytest.approx(shown), spec
    for spec in BREAKDOWNS:  # by_gender ones summed; by_level (by_country) ones per level
        if spec.scope is None:
            assert answer[spec.reported_as], spec
        else:
            rows = {r[spec.scope]: r for r in answer[f"by_{spec.scope}"]}
            for key in getattr(totals, spec.name):
                assert rows[key][spec.of] > 0, (spec, key)

    # the commitment's HTTP answer: every figure in its totals, every count in its periods
    doc = read_doc(*commitment_doc(progress))
    http = progress_schemas.CommitmentProgress.from_doc(doc, []).model_dump()
    for spec in FIGURES:
        assert http["totals"][spec.reported_as] == pytest.approx(
            spec.shown(getattr(totals, spec.name))
            if spec.kind is not Kind.BREAKDOWN
            else dict(getattr(totals, spec.name))
        ), spec
    for spec in AMOUNTS:
        assert all(p[spec.reported_as] for p in http["periods"]), spec


def with_a_new_figure() -> type[ProgressReported]:
    """The contract as it would be with one more figure that monitoring does not declare."""

    class WithANewFigure(ProgressReported):
        figure_not_declared: int | None = Field(
            default=None, description="A figure added to the contract only.", examples=[8]
        )

    return WithANewFigure


def test_a_figure_of_the_contract_that_is_not_declared_is_refused_loudly() -> None:
    model = with_a_new_figure()
    assert [f.name for f in report_figures(model)][-1] == "figure_not_declared"
    with pytest.raises(UndeclaredFigure, match="figure_not_declared"):
        declared(model)
    event = model(
        partner_id="p-acme",
        commitment_id="c-cloud",
        period="2025-Q1",
        people_trained=5,
        figure_not_declared=8,
    )
    raw = event.to_jsonable()
    with pytest.raises(UndeclaredFigure, match="figure_not_declared"):
        to_report(event, raw, json.dumps(raw), None, "progress/0/1")


def test_a_declared_figure_the_contract_lacks_is_refused_loudly() -> None:
    fields = {
        name: (f.annotation, f)
        for name, f in ProgressReported.model_fields.items()
        if name != "people_reached"
    }
    fewer: Any = create_model("Fewer", **fields)
    with pytest.raises(UndeclaredFigure, match="people_reached"):
        declared(fewer)


def test_a_figure_of_another_type_cannot_be_added_to_the_contract() -> None:
    odd: Any = create_model("Odd", __base__=ProgressReported, remarks=(str | None, None))
    with pytest.raises(TypeError, match="remarks"):
        report_figures(odd)


def test_the_csv_import_has_columns_for_every_figure_and_carries_each() -> None:
    values = a_value_for_every_figure(1)
    cells = {"commitment_id": "c-cloud", "period": "2025-Q1", "revision": "1"}
    for figure in report_figures():
        given = values[figure.name]
        columns = figure_columns(figure)
        assert set(columns) <= set(COLUMNS), figure
        if figure.kind is not FigureKind.BREAKDOWN:
            cells[figure.name] = f"{given}"
        elif figure.enum_keys:
            cells |= {column: str(given.get(key, "")) for column, key in columns.items()}
        else:
            cells[figure.name] = ";".join(f"{k}:{v}" for k, v in given.items())
    text = ",".join(cells) + "\n" + ",".join(cells.values()) + "\n"
    checked = check_progress_csv(text, partner_id="p-acme", today=date(2026, 1, 1))
    assert checked.ok, checked.errors
    sent = checked.rows[0].report
    for figure in report_figures():
        assert getattr(sent, figure.name) == values[figure.name], figure
