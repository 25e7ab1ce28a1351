"""What a commitment's head keeps of its alerts, so that a batch need not read them
(service_layer/evaluation.py): the informational ones notified, the firing ones whose resolve
is held and until when, the other firing ones. Stored as lists, and written only when they
change: a ten-year commitment keeps a score of fingerprints there, which a report seldom
changes, and its head is updated at every report."""

from __future__ import annotations

from typing import Any

from monitoring.core.domain.progress import CommitmentProgress

Doc = dict[str, Any]
FIELDS = ("notified", "held", "firing")


def stored(p: CommitmentProgress) -> Doc:
    """The fields as the head stores them (`firing` left out while it is not known)."""
    doc: Doc = {
        "notified": sorted(p.notified),
        "held": [[fp, until] for fp, until in sorted(p.held.items())],
    }
    if p.firing is not None:
        doc["firing"] = sorted(map(list, p.firing.items()))
    return doc


def written(p: CommitmentProgress) -> Doc:
    """The fields of a head written whole: all of them, as stored from now on."""
    doc = stored(p)
    p.stored_alerts = dict(doc)
    return doc


def changed(p: CommitmentProgress) -> Doc:
    """The fields that differ from what the head holds (all, if that is not known), taken
    as stored from now on."""
    now, before = stored(p), p.stored_alerts
    p.stored_alerts = {**(before or {}), **now}
    if before is None:
        return now
    return {name: value for name, value in now.items() if value != before.get(name)}


def read(doc: Doc) -> Doc:
    """CommitmentProgress's arguments for them, from a stored head (None where it has none:
    a head stored before it kept its firing alerts)."""
    firing = doc.get("firing")
    return {
        "notified": set(doc.get("notified", ())),
        "held": {fp: until for fp, until in doc.get("held", ())},
        "firing": None if firing is None else {fp: episode for fp, episode in firing},
        "stored_alerts": {name: doc.get(name) for name in FIELDS if name in doc},
    }
