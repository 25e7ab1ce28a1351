"""The alert board: every alert monitoring has published, as its readers see it (one record
per fingerprint: its latest episode), with the acknowledgement people give it. Pure.

Fed by monitoring.alerts.v1 (a consumer group of its own), not by the rules' state, so it
shows exactly what was announced. Events of one fingerprint share a partition key, so they
come in order; a record only moves forward (episode, then fired before resolved), so
redeliveries and replays change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from monitoring.core.domain.rules import Rule
from monitoring.notify.domain.delivery import Notice, Transition
from pact_common.errors import Conflict, NotFound


class AlertNotFound(NotFound):
    code = "alert_not_found"


class AlertNotFiring(Conflict):
    code = "alert_not_firing"


class BoardStatus:
    FIRING = "firing"
    RESOLVED = "resolved"
    NOTIFIED = "notified"  # informational rules: announced once, never resolve

    ALL = (FIRING, RESOLVED, NOTIFIED)


@dataclass(frozen=True)
class AlertNotice:
    """An alert event, as the board and the deliveries need it."""

    notice: Notice
    rule: str
    severity: str
    subject_type: str
    subject_id: str
    metric: str
    expected: float
    actual: float
    due_date: date | None
    message: str
    occurred_at: datetime

    @property
    def fingerprint(self) -> str:
        return self.notice.fingerprint

    @property
    def position(self) -> tuple[int, int]:
        return position(self.notice.episode, self.notice.transition)


def position(episode: int, transition: Transition) -> tuple[int, int]:
    return episode, 0 if transition is Transition.FIRED else 1


@dataclass(frozen=True)
class Acknowledgement:
    by: str
    note: str
    at: datetime
    #: the episode acknowledged: a new episode is not acknowledged yet
    episode: int


@dataclass(frozen=True)
class AlertRecord:
    fingerprint: str
    episode: int
    status: str
    transition: Transition
    rule: str
    severity: str
    subject_type: str
    subject_id: str
    partner_id: str | None
    partnership_id: str
    metric: str
    expected: float
    actual: float
    due_date: date | None
    message: str
    fired_at: datetime
    resolved_at: datetime | None
    last_event_id: str
    acknowledgement: Acknowledgement | None = None

    @property
    def position(self) -> tuple[int, int]:
        return position(self.episode, self.transition)

    def acknowledged_by(self, by: str, note: str, at: datetime) -> AlertRecord:
        """Acknowledge the current episode (again: the note is replaced). A resolved alert
        has nothing left to acknowledge."""
        if self.status == BoardStatus.RESOLVED:
            raise AlertNotFiring(
                f"alert {self.fingerprint} was resolved at {self.resolved_at}; "
                "only firing or notified alerts are acknowledged",
                field="fingerprint",
            )
        return replace(self, acknowledgement=Acknowledgement(by, note, at, self.episode))


_RULES = frozenset(r.value for r in Rule)


def board_status(n: AlertNotice) -> str:
    if n.notice.transition is Transition.RESOLVED:
        return BoardStatus.RESOLVED
    informational = n.rule in _RULES and Rule(n.rule).informational
    return BoardStatus.NOTIFIED if informational else BoardStatus.FIRING


def take(current: AlertRecord | None, n: AlertNotice) -> AlertRecord | None:
    """The record after this event; None when the event is not newer than what is shown."""
    if current is not None and n.position <= current.position:
        return None
    same_episode = current is not None and current.episode == n.notice.episode
    fired = n.notice.transition is Transition.FIRED
    return AlertRecord(
        fingerprint=n.fingerprint,
        episode=n.notice.episode,
        status=board_status(n),
        transition=n.notice.transition,
        rule=n.rule,
        severity=n.severity,
        subject_type=n.subject_type,
        subject_id=n.subject_id,
        partner_id=n.notice.partner_id,
        partnership_id=n.notice.partnership_id,
        metric=n.metric,
        expected=n.expected,
        actual=n.actual,
        due_date=n.due_date,
        message=n.message,
        fired_at=(
            n.occurred_at if fired or current is None or not same_episode else current.fired_at
        ),
        resolved_at=None if fired else n.occurred_at,
        last_event_id=n.notice.event_id,
        acknowledgement=current.acknowledgement if current is not None and same_episode else None,
    )
