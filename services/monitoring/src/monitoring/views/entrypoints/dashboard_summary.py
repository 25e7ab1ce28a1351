"""What the dashboard sums up, shaped from the read side's documents: key figures against
the common targets, breakdowns of people trained, alerts, the annual report. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup

from monitoring.core.domain.model import Metric
from monitoring.core.domain.periods import Period
from monitoring.core.domain.progress import CommitmentProgress
from monitoring.views.domain.annual_report import annual_report
from monitoring.views.entrypoints.dashboard_charts import amount, bar_chart, meter
from monitoring.views.entrypoints.dashboard_page import METRICS, Chart, rule_label, unit
from pact_contracts.vocabulary import Gender, SkillLevel

Doc = dict[str, Any]
BREAKDOWN_ORDER = {
    "level": [lv.value for lv in SkillLevel],
    "gender": [g.value for g in Gender],
}


@dataclass(frozen=True)
class KeyFigure:
    label: str
    value: str
    note: str = ""
    share: float | None = None
    state: str = ""

    @property
    def bar(self) -> Markup:
        return meter(self.share or 0.0, self.state)


def contributions(commitments: Iterable[Doc], partnership_id: str) -> dict[str, float]:
    """What the commitments add to the partnership's common targets, per metric (the
    reported figures, without their baselines)."""
    out: dict[str, float] = {}
    for c in commitments:
        if c["partnership_id"] == partnership_id:
            out[c["metric"]] = out.get(c["metric"], 0.0) + c["achieved"] - c["baseline"]
    return out


def key_figures(
    totals: Doc,
    targets: Sequence[tuple[Doc, float]],
    firing: int,
    contribution: dict[str, float] | None = None,
) -> list[KeyFigure]:
    """Each figure of the annual survey, measured; against the common target where one
    counts it. A partner's page (`contribution`: its own progress per metric toward the
    partnership) shows its share of the common target."""
    values = {
        Metric.PEOPLE_TRAINED: float(totals.get("people_trained", 0)),
        Metric.PEOPLE_REACHED: float(totals.get("people_reached", 0)),
        Metric.PROGRAMMES_DEVELOPED: float(totals.get("programmes_developed", 0)),
        Metric.INVESTMENT_EUR: totals.get("investment_cents", 0) / 100,
    }
    goals = {Metric(t["metric"]): (t, got) for t, got in reversed(targets)}
    out = []
    for metric, value in values.items():
        u = unit(metric)
        if metric not in goals:
            out.append(KeyFigure(METRICS[metric], amount(value, u)))
            continue
        t, got = goals[metric]
        goal = float(t["target_value"])
        if contribution is None:
            note = f"{got / goal:.1%} of the common target: {amount(goal, u)} by {t['deadline']}"
            out.append(KeyFigure(METRICS[metric], amount(value, u), note, got / goal, "ok"))
        else:
            mine = contribution.get(metric, 0.0)
            note = f"{amount(mine, u)} contributed to the common target of {amount(goal, u)}"
            out.append(KeyFigure(METRICS[metric], amount(value, u), note, mine / goal, "ok"))
    measured, on_track = totals.get("commitments", 0), totals.get("commitments_on_track", 0)
    out.append(
        KeyFigure(
            "Commitments on track",
            f"{on_track} of {measured}",
            "active, achieved or missed commitments",
            on_track / measured if measured else 0.0,
            "ok",
        )
    )
    out.append(KeyFigure("Alerts firing", str(firing), "warnings and critical alerts"))
    return out


def breakdown_charts(breakdowns: dict[str, dict[str, int]], everyone: int) -> list[Chart]:
    charts = []
    for name, title in (("level", "Skill level"), ("country", "Country"), ("gender", "Gender")):
        counts = breakdowns.get(name, {})
        order = BREAKDOWN_ORDER.get(name) or sorted(counts, key=lambda k: (-counts[k], k))
        rows = [(k.replace("_", " "), counts[k]) for k in order if counts.get(k)]
        if name == "country" and len(rows) > 12:
            rows = [*rows[:11], ("others", sum(v for _, v in rows[11:]))]
        unbroken = everyone - sum(counts.values())
        if unbroken > 0:
            rows.append(("not broken down", unbroken))
        caption = f"People trained by {title.lower()}"
        charts.append(
            Chart(
                bar_chart(f"by-{name}", caption, rows, everyone),
                caption,
                (title.lower(), "people trained", "share"),
                [(k, amount(v), f"{v / everyone:.1%}" if everyone else "") for k, v in rows],
            )
        )
    return charts


@dataclass(frozen=True)
class AlertRow:
    rule: str
    severity: str
    subject: str
    partner_id: str
    message: str
    status: str
    episode: int
    fired_at: str
    resolved_at: str
    acknowledged: str = ""


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at is not None else ""


SEVERITY = {"critical": 0, "warning": 1, "info": 2}


def most_severe_first(docs: Sequence[Doc]) -> list[Doc]:
    """Critical before warnings before notices; the latest first within each (stable)."""
    return sorted(docs, key=lambda d: SEVERITY.get(d["severity"], 3))


def acknowledged(doc: Doc) -> str:
    ack = doc.get("acknowledgement")
    if not ack or ack.get("episode") != doc["episode"]:
        return ""
    return f"Acknowledged by {ack['by']}: {ack['note']}"


def alert_rows(docs: Iterable[Doc], titles: dict[str, str]) -> list[AlertRow]:
    return [
        AlertRow(
            rule=rule_label(d["rule"]),
            severity=d["severity"],
            subject=titles.get(d["subject_id"]) or d["subject_id"],
            partner_id=d.get("partner_id") or "partnership",
            message=d["message"],
            status=d["status"],
            episode=d["episode"],
            fired_at=_when(d["fired_at"]),
            resolved_at=_when(d.get("resolved_at")),
            acknowledged=acknowledged(d),
        )
        for d in docs
    ]


def annual_rows(
    progress: Sequence[CommitmentProgress], partnership_id: str | None, this_year: int
) -> list[Sequence[str]]:
    """The annual survey's key figures, measured (domain/reporting.py), for every year
    reported and this one, latest first."""
    if not progress:
        return []
    years = {Period.parse(p).year for c in progress for p in c.periods} | {this_year}
    rows: list[Sequence[str]] = []
    for year in sorted(years, reverse=True)[:6]:
        total = annual_report(year, progress, partnership_id).total
        f, share = total.figures, total.share_with_progress
        rows.append(
            (
                str(year),
                amount(f.people_trained),
                amount(f.people_reached),
                amount(f.programmes_developed),
                amount(f.investment_cents / 100, "€"),
                str(len(total.partners_reporting)),
                f"{total.commitments_with_progress} of {total.commitments}"
                + (f" ({share:.0%})" if share is not None else ""),
            )
        )
    return rows
