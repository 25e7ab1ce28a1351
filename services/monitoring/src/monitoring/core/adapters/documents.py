"""Domain objects <-> MongoDB documents. Dates are ISO strings (sortable); euros in cents.

A commitment is a small head (definition, running totals, a mark per reported period) and a
cell per reported period with its figures: a report rewrites one cell and the head's few
changed fields, whatever the history."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from monitoring.core.domain import buckets
from monitoring.core.domain.alerting import Acknowledgement, Alert, AlertStatus
from monitoring.core.domain.conditions import Rule, Severity, Subject, SubjectType
from monitoring.core.domain.figures import (
    AMOUNT_NAMES,
    BREAKDOWN_NAMES,
    amounts_of,
    breakdowns_of,
    figures,
)
from monitoring.core.domain.model import (
    Commitment,
    CommitmentStatus,
    Figures,
    Metric,
    PartnershipTarget,
    TargetDefinition,
    is_measured,
)
from monitoring.core.domain.periods import Cadence
from monitoring.core.domain.progress import CommitmentProgress, Mark, PeriodEntry, TargetProgress
from pact_common.targets import milestones_doc, milestones_from

Doc = dict[str, Any]


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def _from_day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def definition_doc(t: TargetDefinition) -> Doc:
    return {
        "metric": t.metric.value,
        "target_value": t.target_value,
        "baseline": t.baseline,
        "start_date": _day(t.start_date),
        "deadline": _day(t.deadline),
        "milestones": milestones_doc(t.milestones),
    }


def definition_from(doc: Doc) -> TargetDefinition:
    return TargetDefinition(
        metric=Metric(doc["metric"]),
        target_value=doc["target_value"],
        baseline=doc["baseline"],
        start_date=date.fromisoformat(doc["start_date"]),
        deadline=date.fromisoformat(doc["deadline"]),
        milestones=milestones_from(doc["milestones"]),
    )


def figures_doc(f: Figures) -> Doc:
    """Every declared figure (domain/figures.py) under its name; euros in cents."""
    # Not dataclasses.asdict (which deep-copies): the hot path writes many.
    doc: Doc = dict(zip(AMOUNT_NAMES, amounts_of(f), strict=True))
    for name, breakdown in zip(BREAKDOWN_NAMES, breakdowns_of(f), strict=True):
        doc[name] = dict(breakdown)
    return doc


def figures_from(doc: Doc) -> Figures:
    """A figure missing from an older document is 0 (a breakdown: empty)."""
    return figures(
        [doc.get(name, 0) for name in AMOUNT_NAMES], [doc.get(n, {}) for n in BREAKDOWN_NAMES]
    )


#: What commitment_from reads of a head: the read-side fields are left out.
WRITE_SIDE = {"achieved": 0}


def cell_id(commitment_id: str, period: str) -> str:
    """A period's cell: commitment ids never hold "/" (the commitments service's pattern)."""
    return f"{commitment_id}/{period}"


def head_doc(p: CommitmentProgress) -> Doc:
    """A commitment's head: its definition, running totals, a mark per reported period
    ([revision, value of its metric]) and its periods' scopes beyond its own (buckets.py)."""
    doc = _head_fields(p)
    doc["marks"] = {name: list(m) for name, m in p.marks_.items()}
    doc["scoped"] = {name: list(more) for name, more in buckets.extras(p).items()}
    return doc


def head_update(p: CommitmentProgress) -> Doc | None:
    """What storing a loaded head changes (None: write it whole): what reports change, and
    the mark and scopes of each period written (unset: withdrawn), whatever its history."""
    if p.whole_head:
        return None
    fields, unset, extra = _state_fields(p), {}, buckets.extras(p)
    for period in p.written:
        for name, value in ((f"marks.{period}", p.marks_.get(period)),
                            (f"scoped.{period}", extra.get(period))):  # fmt: skip
            if value:
                fields[name] = list(value)
            else:
                unset[name] = ""
    return {"$set": fields, "$unset": unset} if unset else {"$set": fields}


def _head_fields(p: CommitmentProgress) -> Doc:
    c = p.commitment
    return {
        "_id": c.id,
        "version": c.version,
        "partner_id": c.partner_id,
        "partnership_id": c.partnership_id,
        "title": c.title,
        "status": c.status.value,
        "measured": is_measured(c.status),
        "cadence": c.cadence.value,
        "grace_days": c.grace_days,
        "countries": list(c.countries),
        "levels": list(c.levels),
        "withdrawn_on": _day(c.withdrawn_on),
        **definition_doc(c.target),
        **_state_fields(p),
    }


def _state_fields(p: CommitmentProgress) -> Doc:
    """The head's fields that reports change; a new definition writes the head whole."""
    c, totals = p.commitment, p.totals
    return {
        "last_report_at": p.last_report_at,
        "stale_reports": p.stale_reports,
        "on_track": p.on_track,
        "evaluated_on": _day(p.evaluated_on),
        "totals": figures_doc(totals),
        "achieved": c.target.baseline + totals.value(c.target.metric),  # read side, summed once
    }


def cell_doc(commitment_id: str, e: PeriodEntry) -> Doc:
    return {
        "_id": cell_id(commitment_id, e.period),
        "commitment_id": commitment_id,
        "period": e.period,
        "revision": e.revision,
        "event_id": e.event_id,
        "reported_at": e.reported_at,
        "stale_reports": e.stale_reports,
        **figures_doc(e.figures),
    }


def entry_from(doc: Doc) -> PeriodEntry:
    return PeriodEntry(
        doc["period"],
        doc["revision"],
        doc["event_id"],
        figures_from(doc),
        doc["reported_at"],
        doc.get("stale_reports", 0),
    )


def commitment_doc(p: CommitmentProgress) -> tuple[Doc, list[Doc]]:
    """The head and every loaded cell (a rebuild or a benchmark writes them whole)."""
    return head_doc(p), [cell_doc(p.id, e) for e in p.periods.values()]


def read_doc(head: Doc, cells: list[Doc]) -> Doc:
    """What the progress answers read: the head with its cells by period (`periods`) and its
    series (the metric per period, in order, with the running total)."""
    series = [
        {"period": s.period, "value": s.value, "cumulative": s.cumulative, "revision": s.revision}
        for s in commitment_from(head).series()
    ]
    return head | {"periods": {cell["period"]: cell for cell in cells}, "series": series}


def commitment_from(
    doc: Doc, cells: list[Doc] | None = None, complete: bool = False
) -> CommitmentProgress:
    """A head with the cells given (`complete`: they are every period's)."""
    c = Commitment(
        id=doc["_id"],
        version=doc["version"],
        partner_id=doc["partner_id"],
        partnership_id=doc["partnership_id"],
        target=definition_from(doc),
        cadence=Cadence(doc["cadence"]),
        grace_days=doc["grace_days"],
        status=CommitmentStatus(doc["status"]),
        title=doc.get("title", ""),
        countries=tuple(doc.get("countries", ())),
        levels=tuple(doc.get("levels", ())),
        withdrawn_on=_from_day(doc.get("withdrawn_on")),
    )
    kept = doc.get("marks", {})
    marks = dict(zip(kept, map(Mark._make, kept.values()), strict=True))
    periods = {cell["period"]: entry_from(cell) for cell in cells or ()}
    return CommitmentProgress(
        commitment=c,
        periods=periods,
        last_report_at=doc.get("last_report_at"),
        stale_reports=doc.get("stale_reports", 0),
        on_track=doc.get("on_track"),
        evaluated_on=_from_day(doc.get("evaluated_on")),
        kept_totals=figures_from(doc.get("totals", {})),
        marks=marks,
        complete=complete or marks.keys() <= periods.keys(),
        extra={name: tuple(more) for name, more in doc.get("scoped", {}).items()},
        whole_head=False,
    )


def target_doc(t: TargetProgress) -> Doc:
    return {
        "_id": t.id,
        "version": t.target.version,
        "partnership_id": t.target.partnership_id,
        "title": t.target.title,
        **definition_doc(t.target.target),
        "evaluated_on": _day(t.evaluated_on),
    }


def target_from(doc: Doc) -> TargetProgress:
    target = PartnershipTarget(
        id=doc["_id"],
        version=doc["version"],
        partnership_id=doc["partnership_id"],
        target=definition_from(doc),
        title=doc.get("title", ""),
    )
    return TargetProgress(target, _from_day(doc.get("evaluated_on")))


def alert_doc(a: Alert) -> Doc:
    s = a.subject
    return {
        "_id": a.fingerprint,
        "rule": a.rule.value,
        "subject_key": s.key,
        "subject_type": s.type.value,
        "subject_id": s.id,
        "partner_id": s.partner_id,
        "partnership_id": s.partnership_id,
        "metric": s.metric.value,
        "status": a.status.value,
        "episode": a.episode,
        "severity": a.severity.value,
        "expected": a.expected,
        "actual": a.actual,
        "due_date": _day(a.due_date),
        "message": a.message,
        "fired_at": a.fired_at,
        "resolved_at": a.resolved_at,
        "acknowledgement": asdict(a.acknowledgement) if a.acknowledgement else None,
        "acknowledged": a.acknowledgement is not None,
        "text_at_firing": a.text_at_firing,
        "resolve_after": a.resolve_after,
    }


def alert_from(doc: Doc) -> Alert:
    subject = Subject(
        SubjectType(doc["subject_type"]),
        doc["subject_id"],
        doc["partnership_id"],
        Metric(doc["metric"]),
        doc.get("partner_id"),
    )
    return Alert(
        fingerprint=doc["_id"],
        rule=Rule(doc["rule"]),
        subject=subject,
        status=AlertStatus(doc["status"]),
        episode=doc["episode"],
        severity=Severity(doc["severity"]),
        expected=doc["expected"],
        actual=doc["actual"],
        due_date=_from_day(doc.get("due_date")),
        message=doc["message"],
        fired_at=doc["fired_at"],
        resolved_at=doc.get("resolved_at"),
        acknowledgement=Acknowledgement(**ack) if (ack := doc.get("acknowledgement")) else None,
        text_at_firing=doc.get("text_at_firing") or doc["message"],
        resolve_after=doc.get("resolve_after"),
    )
