"""Domain objects <-> MongoDB documents. Dates are ISO strings (sortable); euros in cents.

A commitment is a small head (definition, running totals, a mark per reported period) and a
cell per reported period with its figures: a report rewrites one cell and the head's few
changed fields, whatever the history."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date
from typing import Any

from monitoring.core.adapters import head_alerts, lanes
from monitoring.core.adapters.figured import figured_doc, figured_from, figured_years_doc
from monitoring.core.domain import buckets, years
from monitoring.core.domain.figures import (
    AMOUNT_NAMES,
    BREAKDOWN_NAMES,
    amounts_of,
    breakdowns_of,
    figures,
)
from monitoring.core.domain.marks import Mark
from monitoring.core.domain.model import (
    Commitment,
    CommitmentStatus,
    Figures,
    Metric,
    PartnershipTarget,
    TargetDefinition,
    is_measured,
    one_of,
)
from monitoring.core.domain.periods import Cadence
from monitoring.core.domain.progress import CommitmentProgress, PeriodEntry, TargetProgress
from pact_common.kafka import key_hash
from pact_common.targets import milestones_doc, milestones_from

Doc = dict[str, Any]


def day_text(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


@functools.lru_cache(maxsize=4096)
def day_from(value: str | None) -> date | None:
    """A stored day (heads and alerts hold a few distinct ones, read by the thousand)."""
    return date.fromisoformat(value) if value else None


def definition_doc(t: TargetDefinition) -> Doc:
    return {
        "metric": t.metric.value,
        "target_value": t.target_value,
        "baseline": t.baseline,
        "start_date": day_text(t.start_date),
        "deadline": day_text(t.deadline),
        "milestones": milestones_doc(t.milestones),
    }


#: definitions read, by their stored fields: a head read batch after batch gives the same
#: object, so what the rules keep per definition (its plan, its recent periods) is found by
#: identity rather than by comparing ten milestones; and it is not built again
_DEFINITIONS: dict[tuple[Any, ...], TargetDefinition] = {}
_DEFINITIONS_MAX = 65_536


def definition_from(doc: Doc) -> TargetDefinition:
    fields = ("metric", "target_value", "baseline", "start_date", "deadline")
    key = (*map(doc.__getitem__, fields), *((m["due_date"], m["value"]) for m in doc["milestones"]))
    if (known := _DEFINITIONS.get(key)) is not None:
        return known
    if len(_DEFINITIONS) >= _DEFINITIONS_MAX:
        _DEFINITIONS.clear()
    made = _DEFINITIONS[key] = one_of(
        TargetDefinition(
            metric=Metric(doc["metric"]),
            target_value=doc["target_value"],
            baseline=doc["baseline"],
            start_date=date.fromisoformat(doc["start_date"]),
            deadline=date.fromisoformat(doc["deadline"]),
            milestones=milestones_from(doc["milestones"]),
        )
    )
    return made


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
    doc = _head_fields(p) | head_alerts.written(p)
    doc["marks"] = {name: list(m) for name, m in p.marks_.items()}
    if p.journaled is not None:  # its views kept apart: what they keep is the keeper's
        return doc | {"journaled": p.journaled}
    doc["scoped"] = {name: list(more) for name, more in buckets.extras(p).items()}
    figured = p.figured if p.figured is not None or not p.complete else years.figured(p)
    if figured is not None:  # else not known: read with every cell next time
        doc["figured"] = figured_years_doc(figured)
    return doc


def head_update(p: CommitmentProgress) -> Doc | None:
    """What storing a loaded head changes (None: write it whole): what reports change, and
    the mark and scopes of each period written (unset: withdrawn), whatever its history."""
    if p.whole_head:
        return None
    fields, unset = _state_fields(p) | head_alerts.changed(p), {}
    fields[lanes.KEY_HASH] = key_hash(p.commitment.partner_id)  # a head stored without it too
    kept: dict[str, Mapping[str, Any]] = {"marks": p.marks_}
    if p.journaled is not None:  # its views kept apart: no scopes (the keeper's)
        fields["journaled"] = p.journaled
    else:
        kept["scoped"] = buckets.extras(p)
    for period in p.written:
        for name, values in kept.items():
            if value := values.get(period):
                fields[f"{name}.{period}"] = list(value)
            else:
                unset[f"{name}.{period}"] = ""
    if p.figured is not None and p.figured_years is None:
        fields["figured"] = figured_years_doc(p.figured)
    elif p.figured is not None:
        for year in p.figured_years or ():
            if scopes := p.figured.get(year):
                fields[f"figured.{year}"] = figured_doc(scopes)
            else:
                unset[f"figured.{year}"] = ""
    return {"$set": fields, "$unset": unset} if unset else {"$set": fields}


def _head_fields(p: CommitmentProgress) -> Doc:
    return commitment_fields(p.commitment) | _state_fields(p)


def commitment_fields(c: Commitment) -> Doc:
    """A commitment's definition, as its head holds it (and the views' keeper)."""
    return {
        "_id": c.id,
        "version": c.version,
        "partner_id": c.partner_id,
        lanes.KEY_HASH: key_hash(c.partner_id),  # the holder of its partition sweeps it
        "partnership_id": c.partnership_id,
        "title": c.title,
        "status": c.status.value,
        "measured": is_measured(c.status),
        "cadence": c.cadence.value,
        "grace_days": c.grace_days,
        "countries": list(c.countries),
        "levels": list(c.levels),
        "withdrawn_on": day_text(c.withdrawn_on),
        **definition_doc(c.target),
    }


def _state_fields(p: CommitmentProgress) -> Doc:
    """The head's fields that reports change; a new definition writes the head whole."""
    c, totals = p.commitment, p.totals
    return {
        "last_report_at": p.last_report_at,
        "stale_reports": p.stale_reports,
        "on_track": p.on_track,
        "evaluated_on": day_text(p.evaluated_on),
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
    c = commitment_of(doc)
    marks: dict[str, Mark] = dict(doc.get("marks", {}))  # [revision, value] lists, as kept
    periods = {cell["period"]: entry_from(cell) for cell in cells or ()}
    return CommitmentProgress(
        commitment=c,
        periods=periods,
        last_report_at=doc.get("last_report_at"),
        stale_reports=doc.get("stale_reports", 0),
        on_track=doc.get("on_track"),
        evaluated_on=day_from(doc.get("evaluated_on")),
        kept_totals=figures_from(doc.get("totals", {})),
        marks=marks,
        complete=complete or marks.keys() <= periods.keys(),
        extra={name: tuple(more) for name, more in doc.get("scoped", {}).items()},
        figured=figured_from(doc.get("figured")),
        journaled=doc.get("journaled"),
        **head_alerts.read(doc),
        whole_head=False,
    )


def commitment_of(doc: Doc) -> Commitment:
    return Commitment(
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
        withdrawn_on=day_from(doc.get("withdrawn_on")),
    )


def target_doc(t: TargetProgress) -> Doc:
    return {
        "_id": t.id,
        "version": t.target.version,
        "partnership_id": t.target.partnership_id,
        "title": t.target.title,
        **definition_doc(t.target.target),
        "evaluated_on": day_text(t.evaluated_on),
    }


def target_from(doc: Doc) -> TargetProgress:
    target = PartnershipTarget(
        id=doc["_id"],
        version=doc["version"],
        partnership_id=doc["partnership_id"],
        target=definition_from(doc),
        title=doc.get("title", ""),
    )
    return TargetProgress(target, day_from(doc.get("evaluated_on")))
