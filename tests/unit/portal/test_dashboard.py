"""The portal dashboard's pure parts (moved from monitoring with the dashboard), on
monitoring's HTTP answers: SVG charts that are well-formed and say what they show, the
commitments ordered by risk with legal names, key figures against the common target,
breakdowns, the annual figures, alerts."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

from portal.dashboard import summary
from portal.dashboard.charts import (
    MilestoneMark,
    ProgressChart,
    ProgressPoint,
    bar_chart,
    nice_step,
    progress_chart,
    short,
)
from portal.dashboard.progress import commitment_rows, target_charts

SVG = "{http://www.w3.org/2000/svg}"
TODAY = date(2026, 5, 15)


def _(message: str, **params: Any) -> str:
    """The English catalogue."""
    return message % params if params else message


def svg(markup: object) -> ET.Element:
    """Parsed as XML: the chart is well-formed (namespace added as the HTML parser would)."""
    text = str(markup).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    return ET.fromstring(text)


def progress(cid: str, *periods: tuple[str, float], **c: Any) -> dict[str, Any]:
    """A commitment as GET /progress/commitments answers it."""
    total, points = 0.0, []
    for period, value in periods:
        total += value
        points.append(
            {"period": period, "value": value, "cumulative": total, "people_trained": value}
        )
    doc = {
        "commitment_id": cid, "partner_id": "p-acme", "partnership_id": "digital-ecosystem",
        "title": f"Commitment {cid}", "status": "active", "metric": "people_trained",
        "target_value": 20_000.0, "baseline": 0.0, "start_date": "2025-01-01",
        "deadline": "2027-12-31", "milestones": [{"due_date": "2026-12-31", "value": 8_000}],
        "achieved": total, "on_track": None, "periods": points, "alerts": [],
        "projected": total * 2, "totals": {"people_trained": int(total)},
    }  # fmt: skip
    return doc | c


def test_a_progress_chart_is_an_image_with_a_title_a_description_and_its_points() -> None:
    chart = ProgressChart(
        chart_id="c1",
        title='Cloud <skills> & "more"',
        description="Cumulative people trained",
        start=date(2025, 1, 1),
        deadline=date(2027, 12, 31),
        baseline=0,
        target=20_000,
        points=[
            ProgressPoint(date(2025, 3, 31), 1_500, "2025-Q1"),
            ProgressPoint(date(2025, 6, 30), 4_000, "2025-Q2"),
        ],
        milestones=[MilestoneMark(date(2025, 12, 31), 8_000, "missed")],
        today=TODAY,
    )

    root = svg(progress_chart(chart))

    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == 'Cloud <skills> & "more"'  # type: ignore[union-attr]
    line = root.find(f"{SVG}polyline")
    assert line is not None and len(line.get("points", "").split()) == 3  # start + 2 periods
    titles = [c.find(f"{SVG}title").text for c in root.iter(f"{SVG}circle")]  # type: ignore[union-attr]
    assert titles == ["2025-Q1", "2025-Q2"]
    milestone = next(p for p in root.iter(f"{SVG}path") if "milestone" in p.get("class", ""))
    assert milestone.get("class") == "milestone missed"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "target 20k" in texts and "today" in texts and "2026" in texts


def test_axes_use_round_steps_and_short_numbers() -> None:
    assert [nice_step(span, 5) for span in (21_000, 1_050, 7)] == [5_000, 250, 2]
    assert [short(v) for v in (950, 12_000, 1_250_000)] == ["950", "12k", "1.2M"]
    assert short(30_000, "€") == "€30k"


def test_a_bar_chart_gives_values_and_shares() -> None:
    root = svg(bar_chart("by-level", "People trained by level", [("basic", 300), ("x", 100)], 400))
    assert root.find(f"{SVG}desc").text == "basic: 300; x: 100"  # type: ignore[union-attr]
    values = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "bar-value"]
    assert values == ["300 (75%)", "100 (25%)"]


def test_commitments_are_ordered_by_risk_then_by_where_their_pace_leads() -> None:
    def firing(*rules: str) -> list[dict[str, str]]:
        return [{"rule": rule} for rule in rules]

    docs = [
        progress("c-ok", ("2025-Q1", 5_000), on_track=True, projected=30_000.0),
        progress("c-slow", ("2025-Q1", 1_000), on_track=True, projected=2_400.0),
        progress("c-risk", ("2025-Q1", 1_000), alerts=firing("CommitmentAtRisk")),
        progress("c-done", status="achieved"),
        progress("c-gone", status="withdrawn"),
        progress(
            "c-missed", ("2025-Q1", 1_000), alerts=firing("ReportingOverdue", "MilestoneMissed")
        ),
    ]

    rows = commitment_rows(docs, {"p-acme": "Acme Cloud Europe SE"}, TODAY, _)

    assert [(r.id, r.state) for r in rows] == [
        ("c-missed", "Milestone missed"),
        ("c-risk", "At risk"),
        ("c-slow", "On track"),
        ("c-ok", "On track"),
        ("c-done", "Achieved"),
        ("c-gone", "Withdrawn"),
    ]
    slow = rows[2]
    assert (slow.achieved, slow.target, slow.share) == ("1,000", "20,000", 0.05)
    assert slow.projected == 2_400 / 20_000  # where its pace leads, as monitoring says
    assert slow.partner_name == "Acme Cloud Europe SE"  # the legal name, not the id
    assert 'id="chart-c-slow"' in slow.chart.svg
    assert ("milestone (ahead)", "2026-12-31", "", "8,000") in slow.chart.rows


def test_a_common_target_sums_its_members_period_by_period() -> None:
    target = {
        "target_id": "t-1", "title": "50,000 trained", "metric": "people_trained",
        "target_value": 50_000, "baseline": 1_000, "start_date": "2025-01-01",
        "deadline": "2030-12-31", "milestones": [], "achieved": 1_350.0,
    }  # fmt: skip
    docs = [
        progress("c-1", ("2025-Q1", 100), ("2025-Q2", 200)),
        progress("c-2", ("2025-Q2", 50)),
        progress("c-3", ("2025-Q2", 3), metric="programmes_developed"),
    ]

    [chart] = target_charts([target], docs, TODAY, _)

    assert chart.rows[:2] == [
        ("until 2025-03-31", "2025-03-31", "100", "1,100"),
        ("until 2025-06-30", "2025-06-30", "250", "1,350"),
    ]


def test_key_figures_are_measured_against_the_common_target() -> None:
    totals = {"people_trained": 1_700, "investment_eur": 1_234.56, "commitments": 2}
    target = {"metric": "people_trained", "target_value": 10_000, "deadline": "2029-12-31"}

    partnership = summary.key_figures(totals, [target | {"achieved": 1_700.0}], 3, _)
    partner = summary.key_figures(totals, [target], 1, _, {"people_trained": 500.0})

    trained = partnership[0]
    assert (trained.value, trained.share) == ("1,700", 0.17)
    assert trained.note == "17.0% of the common target: 10,000 by 2029-12-31"
    assert partnership[3].value == "€1,235"
    assert [(f.label, f.value) for f in partnership[4:7]] == [
        ("People placed in digital jobs", "0"),
        ("New entrants to the digital sector", "0"),
        ("Certificates issued", "0"),
    ]
    assert [(f.label, f.value) for f in partnership[7:]] == [
        ("Commitments on track", "0 of 2"),
        ("Alerts firing", "3"),
    ]
    assert partner[0].note == "500 contributed to the common target of 10,000"
    assert partner[0].share == 0.05


def test_breakdowns_keep_the_levels_order_and_show_what_was_not_broken_down() -> None:
    countries = dict.fromkeys(("AT", "BE", "DE", "DK", "ES", "FI", "FR", "GR", "IE", "IT"), 10)
    countries |= {"PT": 40, "SE": 5, "NO": 5}
    docs = [
        progress("c-1", totals={"people_trained": 150, "by_level": {"expert": 10, "basic": 30}}),
        progress("c-2", totals={"people_trained": 50, "by_country": countries}),
    ]
    breakdowns, everyone = summary.breakdowns_of(docs)
    level, country, gender = summary.breakdown_charts(breakdowns, everyone, _)

    assert [r[0] for r in level.rows] == ["basic", "expert", "not broken down"]
    assert level.rows[-1] == ("not broken down", "160", "80.0%")
    assert [r[0] for r in country.rows][:2] == ["PT", "AT"]
    assert country.rows[11] == ("others", "10", "5.0%")  # NO and SE: 13 countries, 12 bars
    assert gender.rows == [("not broken down", "200", "100.0%")]


def test_the_annual_figures_of_a_partner_come_from_its_periods_of_each_year() -> None:
    done = progress("c-1", ("2025-Q4", 300), ("2026-Q1", 200))
    idle = progress("c-2", start_date="2026-01-01")

    years = summary.years_reported([done, idle], TODAY)
    rows = [summary.annual_row(y, summary.own_year(y, [done, idle]), _) for y in years]

    assert [r[0] for r in rows] == ["2026", "2025"]
    assert rows[0][1] == "200" and rows[0][-1] == "1 of 2 (50%)"
    assert rows[1][1] == "300" and rows[1][8] == "1" and rows[1][-1] == "1 of 1 (100%)"


def test_alerts_show_the_current_episode_acknowledgement_and_the_most_severe_first() -> None:
    base = {
        "fingerprint": "f-1", "rule": "MilestoneMissed", "subject_id": "c-1",
        "partner_id": "p-acme", "message": "Milestone missed", "status": "firing",
        "episode": 2, "fired_at": "2026-05-15T09:30:00Z", "resolved_at": None,
    }  # fmt: skip
    late = {"by": "eva@acme.example", "note": "late", "episode": 2}
    old = {"by": "x", "note": "old", "episode": 1}  # of the episode before: not shown
    docs = [
        base | {"severity": "warning", "acknowledgement": late},
        base | {"severity": "critical", "rule": "TargetMissed", "acknowledgement": old},
    ]

    rows = summary.alert_rows(
        summary.most_severe_first(docs), {"c-1": "Cloud skills"}, {"p-acme": "Acme SE"}, _
    )

    assert [(r.rule, r.acknowledged) for r in rows] == [
        ("Target missed", ""),
        ("Milestone missed", "Acknowledged by eva@acme.example: late"),
    ]
    assert rows[0].subject == "Cloud skills" and rows[0].fired_at == "2026-05-15 09:30 UTC"
    assert rows[0].partner == "Acme SE"


def test_a_firing_alert_shows_its_current_values_when_they_differ_from_its_text_at_firing() -> None:
    base = {
        "fingerprint": "f-1", "rule": "MilestoneMissed", "severity": "warning",
        "subject_id": "c-1", "partner_id": "p-acme", "status": "firing", "episode": 1,
        "message": "Milestone of 800 due 2026-03-31 missed: 500 reached (62%).",
        "fired_at": "2026-05-15T09:30:00Z", "resolved_at": None,
    }  # fmt: skip
    now = "Milestone of 800 due 2026-03-31 missed: 600 reached (75%)."
    docs = [
        base | {"current_text": now},
        base | {"current_text": base["message"]},  # nothing changed since it fired
        base | {"status": "resolved", "current_text": now},  # live text is a firing one's
        base,  # monitoring without live text
    ]

    rows = summary.alert_rows(docs, {}, {}, _)

    assert [r.current for r in rows] == [now, "", "", ""]
    assert rows[0].message == base["message"]  # the text at firing is kept
