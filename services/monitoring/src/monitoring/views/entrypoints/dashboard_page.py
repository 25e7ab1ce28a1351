"""What the dashboard shows of commitments and common targets, shaped from the read side's
documents: progress charts with their data tables, commitments ordered by risk. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from markupsafe import Markup

from monitoring.core.adapters.documents import commitment_from
from monitoring.core.domain.conditions import Rule
from monitoring.core.domain.model import Metric
from monitoring.core.domain.periods import Period
from monitoring.core.domain.rules import as_of_date, projection
from monitoring.views.entrypoints.dashboard_charts import (
    MilestoneMark,
    ProgressChart,
    ProgressPoint,
    amount,
    meter,
    progress_chart,
)

Doc = dict[str, Any]
METRICS = {
    Metric.PEOPLE_TRAINED: "People trained",
    Metric.PEOPLE_REACHED: "People reached",
    Metric.PROGRAMMES_DEVELOPED: "Programmes developed",
    Metric.INVESTMENT_EUR: "Investment in training",
}
RULES = {
    Rule.TARGET_MISSED: "Target missed",
    Rule.MILESTONE_MISSED: "Milestone missed",
    Rule.COMMITMENT_AT_RISK: "At risk",
    Rule.REPORTING_OVERDUE: "Report overdue",
    Rule.TARGET_ACHIEVED: "Target achieved",
    Rule.MILESTONE_ACHIEVED: "Milestone achieved",
}
#: a commitment's state, most at risk first: (label, css class)
RISK = (
    ("Missed", "critical"),
    ("Target missed", "critical"),
    ("Milestone missed", "warning"),
    ("At risk", "warning"),
    ("Report overdue", "notice"),
    ("On track", "ok"),
    ("Achieved", "ok"),
    ("Suspended", "muted"),
    ("Withdrawn", "muted"),
)


def unit(metric: str) -> str:
    return "€" if metric == Metric.INVESTMENT_EUR else ""


def metric_label(metric: str) -> str:
    known = {m.value: label for m, label in METRICS.items()}
    return known.get(metric, metric)


def rule_label(rule: str) -> str:
    known = {r.value: label for r, label in RULES.items()}
    return known.get(rule, rule)


@dataclass
class Chart:
    """A chart and its text alternative: a table (caption, headers, rows)."""

    svg: Markup
    title: str
    headers: Sequence[str]
    rows: list[Sequence[str]] = field(default_factory=list)

    @property
    def caption(self) -> str:
        return f"{self.title}: data"


@dataclass
class CommitmentRow:
    id: str
    title: str
    partner_id: str
    metric: str
    achieved: str
    target: str
    share: float
    projected: float
    deadline: str
    state: str
    css: str
    rank: tuple[int, float]
    chart: Chart

    @property
    def bar(self) -> Markup:
        return meter(self.share, self.css)


def period_end(period: str) -> date:
    return Period.parse(period).end


def _milestones(doc: Doc, achieved: float, today: date) -> list[MilestoneMark]:
    def state(due: date, value: float) -> str:
        if achieved >= value:
            return "reached"
        return "missed" if due < today else "ahead"

    marks = [(date.fromisoformat(m["due_date"]), float(m["value"])) for m in doc["milestones"]]
    return [MilestoneMark(due, value, state(due, value)) for due, value in marks]


def progress_figure(
    chart_id: str,
    title: str,
    doc: Doc,
    points: Sequence[tuple[date, str, float, float]],
    achieved: float,
    today: date,
    *,
    compact: bool,
) -> Chart:
    """`points`: (day, period, value in the period, cumulative value)."""
    u = unit(doc["metric"])
    target = float(doc["target_value"])
    marks = _milestones(doc, achieved, today)
    what = metric_label(doc["metric"]).lower()
    description = (
        f"Cumulative {what} from {doc['start_date']} to {doc['deadline']}: "
        f"{amount(achieved, u)} reached of a target of {amount(target, u)}"
        + (f", {len(marks)} milestone(s)" if marks else "")
        + "."
    )
    chart = ProgressChart(
        chart_id=chart_id,
        title=title,
        description=description,
        start=date.fromisoformat(doc["start_date"]),
        deadline=date.fromisoformat(doc["deadline"]),
        baseline=float(doc["baseline"]),
        target=target,
        points=[
            ProgressPoint(day, total, f"{period}: {amount(v, u)} (cumulative {amount(total, u)})")
            for day, period, v, total in points
        ],
        milestones=marks,
        today=today,
        unit=u,
        compact=compact,
    )
    rows: list[Sequence[str]] = [
        (period, day.isoformat(), amount(v, u), amount(total, u))
        for day, period, v, total in points
    ]
    rows += [(f"milestone ({m.state})", m.due.isoformat(), "", amount(m.value, u)) for m in marks]
    rows.append(("target", doc["deadline"], "", amount(target, u)))
    return Chart(
        progress_chart(chart),
        title,
        ("period", "until", "in the period", "cumulative"),
        rows,
    )


def commitment_state(doc: Doc, firing: Iterable[str]) -> str:
    status = doc["status"]
    if status != "active":
        return str(status).capitalize()
    rules = set(firing)
    for rule in (Rule.TARGET_MISSED, Rule.MILESTONE_MISSED, Rule.COMMITMENT_AT_RISK):
        if rule in rules:
            return RULES[rule]
    if Rule.REPORTING_OVERDUE in rules:
        return RULES[Rule.REPORTING_OVERDUE]
    return "On track" if doc.get("on_track") is not False else "At risk"


def commitment_rows(docs: Iterable[Doc], firing: Sequence[Doc], today: date) -> list[CommitmentRow]:
    """The commitments, most at risk first: by state, then by where their pace leads."""
    rules: dict[str, list[str]] = defaultdict(list)
    for alert in firing:
        if alert["subject_type"] == "commitment":
            rules[alert["subject_id"]].append(alert["rule"])
    states = {label: (i, css) for i, (label, css) in enumerate(RISK)}
    rows = []
    for doc in docs:
        target, achieved, u = (
            float(doc["target_value"]),
            float(doc["achieved"]),
            unit(doc["metric"]),
        )
        series = [
            (min(today, period_end(p["period"])), p["period"], p["value"], p["cumulative"])
            for p in doc["series"]  # the period in progress: known up to today
        ]
        p = commitment_from(doc)  # at its pace so far, as the alert rules see it
        projected = projection(p.commitment.target, achieved, as_of_date(p, today)) / target
        state = commitment_state(doc, rules[doc["_id"]])
        order, css = states.get(state, (len(RISK), "muted"))
        title = doc.get("title") or doc["_id"]
        chart = progress_figure(
            f"chart-{doc['_id']}", title, doc, series, achieved, today, compact=True
        )
        rows.append(
            CommitmentRow(
                id=doc["_id"],
                title=title,
                partner_id=doc["partner_id"],
                metric=metric_label(doc["metric"]),
                achieved=amount(achieved, u),
                target=amount(target, u),
                share=achieved / target,
                projected=projected,
                deadline=doc["deadline"],
                state=state,
                css=css,
                rank=(order, projected),
                chart=chart,
            )
        )
    return sorted(rows, key=lambda r: r.rank)


def target_charts(
    targets: Sequence[tuple[Doc, float]], commitments: Sequence[Doc], today: date
) -> list[Chart]:
    """Each common target: the partnership's cumulative progress (its baseline plus every
    member commitment counting the same metric, period by period)."""
    charts = []
    for i, (t, achieved) in enumerate(targets):
        per_day: dict[date, float] = defaultdict(float)
        for c in commitments:
            if c["metric"] == t["metric"]:
                for p in c["series"]:
                    per_day[min(today, period_end(p["period"]))] += p["value"]
        total, points = float(t["baseline"]), []
        for day in sorted(per_day):
            total += per_day[day]
            points.append((day, f"until {day}", per_day[day], total))
        title = t.get("title") or metric_label(t["metric"])
        charts.append(
            progress_figure(f"target-{i}", title, t, points, achieved, today, compact=False)
        )
    return charts
