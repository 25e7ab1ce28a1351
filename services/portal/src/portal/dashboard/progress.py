"""What the dashboard shows of commitments and common targets, from monitoring's answers
(GET /progress/commitments, /progress/partnerships/{id}): progress charts with their data
tables, commitments ordered by risk. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from markupsafe import Markup

from pact_contracts.alerts import AlertRule
from pact_contracts.sheets.periods import Period
from pact_contracts.vocabulary import Metric

from ..i18n import N_, Gettext
from .charts import MilestoneMark, ProgressChart, ProgressPoint, amount, meter, progress_chart

Doc = dict[str, Any]
METRICS: dict[str, str] = {
    Metric.PEOPLE_TRAINED: N_("People trained"),
    Metric.PEOPLE_REACHED: N_("People reached"),
    Metric.PROGRAMMES_DEVELOPED: N_("Programmes developed"),
    Metric.INVESTMENT_EUR: N_("Investment in training"),
    Metric.PEOPLE_PLACED_IN_JOBS: N_("People placed in digital jobs"),
    Metric.NEW_ENTRANTS: N_("New entrants to the digital sector"),
    Metric.CERTIFICATES_ISSUED: N_("Certificates issued"),
}
RULES: dict[str, str] = {
    AlertRule.TARGET_MISSED: N_("Target missed"),
    AlertRule.MILESTONE_MISSED: N_("Milestone missed"),
    AlertRule.COMMITMENT_AT_RISK: N_("At risk"),
    AlertRule.REPORTING_OVERDUE: N_("Report overdue"),
    AlertRule.TARGET_ACHIEVED: N_("Target achieved"),
    AlertRule.MILESTONE_ACHIEVED: N_("Milestone achieved"),
}
STATUSES = {
    "missed": N_("Missed"),
    "achieved": N_("Achieved"),
    "suspended": N_("Suspended"),
    "withdrawn": N_("Withdrawn"),
}
#: the charts' own words (charts.ENGLISH), translated
CHART_WORDS = {
    "today": N_("today"),
    "target": N_("target"),
    "plan": N_("Linear plan to the target"),
    "milestone": N_("Milestone"),
    "reached": N_("reached"),
    "missed": N_("missed"),
    "ahead": N_("ahead"),
}
#: words the APIs answer that the pages show translated (`_(status)`): declared for pybabel
WORDS = (
    N_("active"), N_("achieved"), N_("missed"), N_("suspended"), N_("withdrawn"),
    N_("firing"), N_("resolved"), N_("notified"),
    N_("info"), N_("warning"), N_("critical"),
    N_("reached"), N_("ahead"), N_("quarterly"), N_("monthly"),
)  # fmt: skip
#: a commitment's state, most at risk first: (msgid, css class)
RISK = (
    (N_("Missed"), "critical"),
    (N_("Target missed"), "critical"),
    (N_("Milestone missed"), "warning"),
    (N_("At risk"), "warning"),
    (N_("Report overdue"), "notice"),
    (N_("On track"), "ok"),
    (N_("Achieved"), "ok"),
    (N_("Suspended"), "muted"),
    (N_("Withdrawn"), "muted"),
)


def unit(metric: str) -> str:
    return "€" if metric == Metric.INVESTMENT_EUR else ""


def metric_label(metric: str) -> str:
    return METRICS.get(metric, metric)


def rule_label(rule: str) -> str:
    return RULES.get(rule, rule)


def period_end(period: str) -> date:
    return Period.parse(period).end


@dataclass
class Chart:
    """A chart and its text alternative: a table (caption, headers, rows)."""

    svg: Markup
    title: str
    headers: Sequence[str]
    rows: list[Sequence[str]] = field(default_factory=list)
    caption: str = ""


@dataclass
class CommitmentRow:
    id: str
    title: str
    partner_id: str
    partner_name: str
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
    _: Gettext,
    *,
    compact: bool,
) -> Chart:
    """`points`: (day, period, value in the period, cumulative value)."""
    u = unit(doc["metric"])
    target = float(doc["target_value"])
    marks = _milestones(doc, achieved, today)
    description = _(
        "Cumulative %(what)s from %(start)s to %(deadline)s: %(achieved)s reached of a target "
        "of %(target)s, %(milestones)s milestone(s).",
        what=_(metric_label(doc["metric"])).lower(),
        start=doc["start_date"],
        deadline=doc["deadline"],
        achieved=amount(achieved, u),
        target=amount(target, u),
        milestones=len(marks),
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
            ProgressPoint(day, total, f"{period}: {amount(v, u)} ({amount(total, u)})")
            for day, period, v, total in points
        ],
        milestones=marks,
        today=today,
        unit=u,
        compact=compact,
        words={key: _(word) for key, word in CHART_WORDS.items()},
    )
    rows: list[Sequence[str]] = [
        (period, day.isoformat(), amount(v, u), amount(total, u))
        for day, period, v, total in points
    ]
    rows += [
        (_("milestone (%(state)s)", state=_(m.state)), m.due.isoformat(), "", amount(m.value, u))
        for m in marks
    ]
    rows.append((_("target"), doc["deadline"], "", amount(target, u)))
    return Chart(
        progress_chart(chart),
        title,
        (_("period"), _("until"), _("in the period"), _("cumulative")),
        rows,
        _("%(title)s: data", title=title),
    )


def commitment_state(doc: Doc) -> str:
    """The msgid of the commitment's state: its status, else its most serious firing alert."""
    if doc["status"] != "active":
        return STATUSES.get(doc["status"], str(doc["status"]).capitalize())
    rules = {a["rule"] for a in doc.get("alerts", [])}
    for rule in (
        AlertRule.TARGET_MISSED,
        AlertRule.MILESTONE_MISSED,
        AlertRule.COMMITMENT_AT_RISK,
        AlertRule.REPORTING_OVERDUE,
    ):
        if rule in rules:
            return RULES[rule]
    return N_("On track") if doc.get("on_track") is not False else N_("At risk")


def commitment_rows(
    docs: Iterable[Doc], names: dict[str, str], today: date, _: Gettext
) -> list[CommitmentRow]:
    """The commitments, most at risk first: by state, then by where their pace leads."""
    states = {label: (i, css) for i, (label, css) in enumerate(RISK)}
    rows = []
    for doc in docs:
        target, achieved, u = (
            float(doc["target_value"]),
            float(doc["achieved"]),
            unit(doc["metric"]),
        )
        series = [  # the period in progress: known up to today
            (min(today, period_end(p["period"])), p["period"], p["value"], p["cumulative"])
            for p in doc["periods"]
        ]
        projected = doc.get("projected")
        share_projected = (projected if projected is not None else achieved) / target
        state = commitment_state(doc)
        order, css = states.get(state, (len(RISK), "muted"))
        cid = doc["commitment_id"]
        title = doc.get("title") or cid
        chart = progress_figure(
            f"chart-{cid}", title, doc, series, achieved, today, _, compact=True
        )
        rows.append(
            CommitmentRow(
                id=cid,
                title=title,
                partner_id=str(doc["partner_id"]),
                partner_name=names.get(str(doc["partner_id"])) or str(doc["partner_id"]),
                metric=_(metric_label(doc["metric"])),
                achieved=amount(achieved, u),
                target=amount(target, u),
                share=achieved / target,
                projected=share_projected,
                deadline=doc["deadline"],
                state=_(state),
                css=css,
                rank=(order, share_projected),
                chart=chart,
            )
        )
    return sorted(rows, key=lambda r: r.rank)


def target_charts(
    targets: Sequence[Doc], commitments: Sequence[Doc], today: date, _: Gettext
) -> list[Chart]:
    """Each common target: the partnership's cumulative progress (its baseline plus every
    member commitment counting the same metric, period by period)."""
    charts = []
    for i, t in enumerate(targets):
        per_day: dict[date, float] = defaultdict(float)
        for c in commitments:
            if c["metric"] == t["metric"]:
                for p in c["periods"]:
                    per_day[min(today, period_end(p["period"]))] += p["value"]
        total, points = float(t["baseline"]), []
        for day in sorted(per_day):
            total += per_day[day]
            points.append((day, _("until %(day)s", day=day), per_day[day], total))
        title = t.get("title") or _(metric_label(t["metric"]))
        charts.append(
            progress_figure(
                f"target-{i}", title, t, points, float(t["achieved"]), today, _, compact=False
            )
        )
    return charts
