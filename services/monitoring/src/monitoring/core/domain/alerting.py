"""The alert state machine: conditions in, fired and resolved events out, idempotently.

One Alert per fingerprint (rule, subject[, milestone date]). A condition that becomes active
opens a new episode (AlertFired); when it stops holding, the episode closes (AlertResolved).
Evaluating the same conditions again changes nothing, so neither a report nor a replay can
fire twice. Informational rules fire once per fingerprint and never resolve. No flapping: an
alert resolves only once it has fired `min_firing` (until then it keeps firing with its
resolve held until `resolve_after`, and the hold is dropped if its condition holds again).

This is monitoring's one model of an alert: the rules decide it, the alert board shows it
(with the acknowledgement people give it), and its fired/resolved events are published and
delivered to webhooks in the same transaction that decided them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from monitoring.core.domain.conditions import Condition, Rule, Severity, Subject
from monitoring.core.domain.errors import AlertNotFiring
from monitoring.core.domain.events import AlertFired, AlertResolved


class AlertStatus(StrEnum):
    FIRING = "firing"
    RESOLVED = "resolved"
    NOTIFIED = "notified"  # informational: fired once, never resolves


@dataclass(frozen=True)
class Acknowledgement:
    by: str
    note: str
    at: datetime
    #: the episode acknowledged: a new episode is not acknowledged yet
    episode: int


@dataclass(frozen=True)
class Alert:
    """The state of one fingerprint: its current (or last) episode."""

    fingerprint: str
    rule: Rule
    subject: Subject
    status: AlertStatus
    episode: int
    severity: Severity
    expected: float
    actual: float
    due_date: date | None
    message: str
    fired_at: datetime
    resolved_at: datetime | None = None
    #: of the current episode (a resolve keeps it; a new episode starts without)
    acknowledgement: Acknowledgement | None = None
    #: the message when this episode fired (`message` follows the resolve)
    text_at_firing: str = ""
    #: its condition stopped holding before it had fired `min_firing`: it resolves then,
    #: unless the condition holds again before
    resolve_after: datetime | None = None

    @property
    def is_firing(self) -> bool:
        return self.status is AlertStatus.FIRING

    @property
    def partner_id(self) -> str | None:
        return self.subject.partner_id

    def acknowledged_by(self, by: str, note: str, at: datetime) -> Alert:
        """Acknowledge the current episode (again: the note is replaced). A resolved alert
        has nothing left to acknowledge."""
        if self.status is AlertStatus.RESOLVED:
            raise AlertNotFiring(
                f"alert {self.fingerprint} was resolved at {self.resolved_at}; "
                "only firing or notified alerts are acknowledged",
                field="fingerprint",
            )
        return replace(self, acknowledgement=Acknowledgement(by, note, at, self.episode))


@dataclass(frozen=True)
class AlertState:
    """What reconciling needs of an alert that is not firing: that it was notified or
    resolved, and its last episode (a new one follows it). Read instead of the whole alert
    for the conditions that hold now: a commitment of ten years keeps a notified alert per
    milestone reached."""

    fingerprint: str
    status: AlertStatus
    episode: int


@dataclass
class Reconciled:
    changed: list[Alert] = field(default_factory=list)
    events: list[AlertFired | AlertResolved] = field(default_factory=list)


def _fire(
    subject: Subject, fp: str, c: Condition, previous: Alert | AlertState | None, now: datetime
) -> Alert:
    return Alert(
        fingerprint=fp,
        rule=c.rule,
        subject=subject,
        status=AlertStatus.NOTIFIED if c.rule.informational else AlertStatus.FIRING,
        episode=previous.episode + 1 if previous is not None else 1,
        severity=c.rule.severity,
        expected=c.expected,
        actual=c.actual,
        due_date=c.due_date,
        message=c.message,
        fired_at=now,
        text_at_firing=c.message,
    )


def reconcile(
    subject: Subject,
    alerts: Mapping[str, Alert | AlertState],
    conditions: Iterable[Condition],
    now: datetime,
    *,
    gone: str = "the rule no longer applies",
    min_firing: timedelta = timedelta(0),
) -> Reconciled:
    """Compare the subject's alerts with its conditions now. Firing alerts whose condition
    no longer exists at all (a milestone removed, a commitment withdrawn) resolve, saying
    `gone`; those whose condition stopped holding resolve once they have fired
    `min_firing`. `alerts` must hold every firing alert of the subject whole, and every
    other alert of a condition that holds now (an AlertState is enough)."""
    out = Reconciled()

    def resolve(alert: Alert, c: Condition | None) -> None:
        values = (
            {"expected": c.expected, "actual": c.actual, "message": c.message}
            if c is not None
            else {"message": f"{alert.message} Resolved: {gone}."}
        )
        closed = replace(
            alert, status=AlertStatus.RESOLVED, resolved_at=now, resolve_after=None, **values
        )
        out.changed.append(closed)
        out.events.append(AlertResolved(closed))

    current = {c.fingerprint(subject): c for c in conditions}
    for fp, c in current.items():
        alert = alerts.get(fp)
        if c.active and (alert is None or alert.status is AlertStatus.RESOLVED):
            fired = _fire(subject, fp, c, alert, now)
            out.changed.append(fired)
            out.events.append(AlertFired(fired))
        elif not c.active and isinstance(alert, Alert) and alert.is_firing:
            if now >= alert.fired_at + min_firing:
                resolve(alert, c)
            elif alert.resolve_after is None:
                out.changed.append(replace(alert, resolve_after=alert.fired_at + min_firing))
        elif c.active and isinstance(alert, Alert) and alert.resolve_after is not None:
            out.changed.append(replace(alert, resolve_after=None))  # holds again: no resolve
    for fp, alert in alerts.items():
        if fp not in current and isinstance(alert, Alert) and alert.is_firing:
            resolve(alert, None)
    return out
