"""What a commitment's head knows of its alerts (notified, held, firing) spares a batch
(evaluation.py): the milestones settled, whose conditions the rules leave out; the held
alerts of those, left unread; and what the head keeps once its alerts are reconciled."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime

from monitoring.core.domain.alerting import Alert, AlertState, AlertStatus
from monitoring.core.domain.conditions import Rule, Subject, fingerprint
from monitoring.core.domain.model import is_measured
from monitoring.core.domain.progress import CommitmentProgress
from monitoring.core.domain.rules import left_out


def settled(p: CommitmentProgress, subject: Subject, waiting: Collection[str] = ()) -> set[str]:
    """The keys of the milestones whose conditions change nothing while reached (rules.py):
    the head knows its firing alerts, a milestone's achievement was notified, and no missed
    alert of it fires but one whose resolve is held and still waits (`waiting`): that one
    is not read while its condition stops holding (evaluation._needed), and a batch weighs its
    milestone again once the hold has ended, to resolve it. Found from the head's
    fingerprints, without making any: a ten-year commitment has ten milestones past, and
    reported past them all at once, ten missed alerts waiting out their hold."""
    if p.firing is None or not p.notified:
        return set()
    achieved = fingerprint(Rule.MILESTONE_ACHIEVED, subject, "")
    keys = {fp[len(achieved) :] for fp in p.notified if fp.startswith(achieved)}
    missed = fingerprint(Rule.MILESTONE_MISSED, subject, "")
    for fp in (*p.firing, *(fp for fp in p.held if fp not in waiting)) if keys else ():
        if fp.startswith(missed):
            keys.discard(fp[len(missed) :])
    return keys


def quiet(p: CommitmentProgress, subject: Subject, keys: Collection[str]) -> set[str]:
    """The missed alerts, their resolve held, of the milestones the rules left out as
    settled (`keys`): their condition is not gone but does not hold (the milestone stays
    reached), so evaluation._needed does not read them and their hold goes on."""
    if not keys or not p.held or not is_measured(p.commitment.status):
        return set()
    missed = fingerprint(Rule.MILESTONE_MISSED, subject, "")
    t = p.commitment.target
    return {missed + key for key in left_out(t, p.achieved, keys)} & p.held.keys()


def remember(
    p: CommitmentProgress,
    waiting: Mapping[str, datetime],
    alerts: Mapping[str, Alert | AlertState],
    changed: Iterable[Alert],
) -> None:
    """What the head keeps of its alerts once reconciled: the informational ones notified
    (found or made so), the firing ones whose resolve is held (those it left unread, and
    those read or changed), and the other firing ones."""
    after = {**alerts, **{a.fingerprint: a for a in changed}}
    p.notified.update(fp for fp, a in after.items() if a.status is AlertStatus.NOTIFIED)
    p.held = {fp: until for fp, until in waiting.items() if fp not in after}
    p.firing = {}
    for fp, a in after.items():
        if a.status is not AlertStatus.FIRING:
            continue
        if isinstance(a, Alert) and a.resolve_after is not None:
            p.held[fp] = a.resolve_after
        else:
            p.firing[fp] = a.episode
