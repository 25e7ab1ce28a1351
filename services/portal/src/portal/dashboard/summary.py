"""What the dashboard sums up, from monitoring's answers: key figures against the common
targets, breakdowns of people trained, alerts, the annual report. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from markupsafe import Markup

from pact_contracts.vocabulary import Gender, SkillLevel

from ..i18n import N_, Gettext
from .charts import amount, bar_chart, meter
from .progress import METRICS, Chart, rule_label, unit

Doc = dict[str, Any]
BREAKDOWN_ORDER = {
    "level": [lv.value for lv in SkillLevel],
    "gender": [g.value for g in Gender],
}
BREAKDOWNS = (("level", N_("Skill level")), ("country", N_("Country")), ("gender", N_("Gender")))
#: the figures the annual survey asks for, as monitoring's answers name them
SURVEY = (
    "people_trained",
    "people_reached",
    "programmes_developed",
    "investment_eur",
    "people_placed_in_jobs",
    "new_entrants",
    "certificates_issued",
)


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
    targets: Sequence[Doc],
    firing: int,
    _: Gettext,
    contribution: dict[str, float] | None = None,
) -> list[KeyFigure]:
    """Each figure of the annual survey, measured; against the common target where one
    counts it (`targets` with their `achieved`). A partner's page (`contribution`: its own
    progress per metric toward the partnership) shows its share of the common target."""
    goals = {t["metric"]: t for t in reversed(targets)}
    out = []
    for metric in METRICS:
        value, u, label = float(totals.get(metric, 0)), unit(metric), _(METRICS[metric])
        if metric not in goals:
            out.append(KeyFigure(label, amount(value, u)))
            continue
        t = goals[metric]
        goal = float(t["target_value"])
        if contribution is None:
            got = float(t.get("achieved", 0.0))
            note = _(
                "%(share)s of the common target: %(goal)s by %(deadline)s",
                share=f"{got / goal:.1%}",
                goal=amount(goal, u),
                deadline=t["deadline"],
            )
            out.append(KeyFigure(label, amount(value, u), note, got / goal, "ok"))
        else:
            mine = contribution.get(metric, 0.0)
            note = _(
                "%(mine)s contributed to the common target of %(goal)s",
                mine=amount(mine, u),
                goal=amount(goal, u),
            )
            out.append(KeyFigure(label, amount(value, u), note, mine / goal, "ok"))
    measured, on_track = totals.get("commitments", 0), totals.get("commitments_on_track", 0)
    out.append(
        KeyFigure(
            _("Commitments on track"),
            _("%(on_track)s of %(measured)s", on_track=on_track, measured=measured),
            _("active, achieved or missed commitments"),
            on_track / measured if measured else 0.0,
            "ok",
        )
    )
    out.append(KeyFigure(_("Alerts firing"), str(firing), _("warnings and critical alerts")))
    return out


def learners_figure(learners: Doc | None, _: Gettext) -> list[KeyFigure]:
    """This year's distinct learners (from the learners sketches partners attach), with
    the sketch's error bounds, beside the people trained as summed."""
    if not learners or not learners.get("unique"):
        return []
    u = learners["unique"]
    note = _(
        "between %(lower)s and %(upper)s people (the estimate's bounds); %(trained)s people "
        "trained in %(year)s, counted per report",
        lower=amount(u["lower"]),
        upper=amount(u["upper"]),
        trained=amount(learners["people_trained"]),
        year=learners["year"],
    )
    return [KeyFigure(_("Unique learners"), amount(u["estimate"]), note)]


def breakdowns_of(commitments: Iterable[Doc]) -> tuple[dict[str, dict[str, int]], int]:
    """People trained per level, country and gender (as reported), and in all."""
    out: dict[str, dict[str, int]] = {name: {} for name, _ in BREAKDOWNS}
    everyone = 0
    for c in commitments:
        totals = c.get("totals") or {}
        everyone += int(totals.get("people_trained", 0))
        for name in out:
            for key, n in (totals.get(f"by_{name}") or {}).items():
                out[name][key] = out[name].get(key, 0) + int(n)
    return out, everyone


def breakdown_charts(
    breakdowns: dict[str, dict[str, int]], everyone: int, _: Gettext
) -> list[Chart]:
    charts = []
    for name, title in BREAKDOWNS:
        counts = breakdowns.get(name, {})
        order = BREAKDOWN_ORDER.get(name) or sorted(counts, key=lambda k: (-counts[k], k))
        rows = [(k.replace("_", " "), counts[k]) for k in order if counts.get(k)]
        if name == "country" and len(rows) > 12:
            rows = [*rows[:11], (_("others"), sum(v for _k, v in rows[11:]))]
        unbroken = everyone - sum(counts.values())
        if unbroken > 0:
            rows.append((_("not broken down"), unbroken))
        caption = _("People trained by %(what)s", what=_(title).lower())
        charts.append(
            Chart(
                bar_chart(f"by-{name}", caption, rows, everyone),
                caption,
                (_(title).lower(), _("people trained"), _("share")),
                [(k, amount(v), f"{v / everyone:.1%}" if everyone else "") for k, v in rows],
                _("%(title)s: data", title=caption),
            )
        )
    return charts


@dataclass(frozen=True)
class AlertRow:
    fingerprint: str
    rule: str
    severity: str
    subject: str
    partner: str
    message: str
    status: str
    episode: int
    fired_at: str
    resolved_at: str
    acknowledged: str = ""
    #: a firing alert's current values (monitoring's live text), when they differ from its
    #: text at firing
    current: str = ""


def when(at: str | None) -> str:
    if not at:
        return ""
    return datetime.fromisoformat(at).strftime("%Y-%m-%d %H:%M UTC")


SEVERITY = {"critical": 0, "warning": 1, "info": 2}


def most_severe_first(docs: Sequence[Doc]) -> list[Doc]:
    """Critical before warnings before notices; the latest first within each (stable)."""
    return sorted(docs, key=lambda d: SEVERITY.get(d["severity"], 3))


def acknowledged(doc: Doc, _: Gettext) -> str:
    ack = doc.get("acknowledgement")
    if not ack or ack.get("episode") != doc["episode"]:
        return ""
    return _("Acknowledged by %(by)s: %(note)s", by=ack["by"], note=ack["note"])


def alert_rows(
    docs: Iterable[Doc], titles: dict[str, str], names: dict[str, str], _: Gettext
) -> list[AlertRow]:
    return [
        AlertRow(
            fingerprint=d["fingerprint"],
            rule=_(rule_label(d["rule"])),
            severity=d["severity"],
            subject=titles.get(d["subject_id"]) or d["subject_id"],
            partner=names.get(d.get("partner_id") or "", d.get("partner_id") or _("partnership")),
            message=d["message"],
            status=d["status"],
            episode=d["episode"],
            fired_at=when(d["fired_at"]),
            resolved_at=when(d.get("resolved_at")),
            acknowledged=acknowledged(d, _),
            current=current_text(d),
        )
        for d in docs
    ]


def current_text(d: Doc) -> str:
    """Monitoring's live text of a firing alert (GET /alerts' current_text), unless it says
    what the text at firing says."""
    now = d.get("current_text") or ""
    return now if d.get("status") == "firing" and now != d["message"] else ""


def annual_row(year: int, report: Doc, _: Gettext) -> Sequence[str]:
    """A year of GET /reports/annual."""
    share = report.get("share_with_progress")
    progress = _(
        "%(with)s of %(all)s",
        **{"with": report["commitments_with_progress"], "all": report["commitments"]},
    )
    return (
        str(year),
        amount(report["people_trained"]),
        amount(report["people_reached"]),
        amount(report["programmes_developed"]),
        amount(report["investment_eur"], "€"),
        amount(report.get("people_placed_in_jobs") or 0),
        amount(report.get("new_entrants") or 0),
        amount(report.get("certificates_issued") or 0),
        str(report["partners_reporting"]),
        progress + (f" ({share:.0%})" if share is not None else ""),
    )


def own_year(year: int, commitments: Sequence[Doc]) -> Doc:
    """A partner's own year, in GET /reports/annual's shape: the figures of its periods in the
    year, and its commitments running in the year (with a report for it)."""
    sums = dict.fromkeys(SURVEY, 0.0)
    running = with_progress = 0
    for c in commitments:
        periods = [p for p in c["periods"] if p["period"].startswith(f"{year}-")]
        for p in periods:
            for name in SURVEY:
                sums[name] += float(p.get(name) or 0)
        ran = c["start_date"][:4] <= str(year) <= c["deadline"][:4]
        running += ran or bool(periods)
        with_progress += bool(periods)
    return {
        **sums,
        "partners_reporting": 1 if with_progress else 0,
        "commitments": running,
        "commitments_with_progress": with_progress,
        "share_with_progress": with_progress / running if running else None,
    }


def years_reported(commitments: Iterable[Doc], today: date) -> list[int]:
    """Every year reported and this one, latest first (at most six)."""
    years = {int(p["period"][:4]) for c in commitments for p in c["periods"]} | {today.year}
    return sorted(years, reverse=True)[:6]
