"""The one alert model as the alert board shows it: informational alerts are 'notified', and
an acknowledgement belongs to one episode (a resolve keeps it, a new episode starts without)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from monitoring.core.domain.alerting import Alert, AlertStatus, reconcile
from monitoring.core.domain.conditions import Condition, Rule
from monitoring.core.domain.errors import AlertNotFiring
from monitoring.core.domain.rules import commitment_subject

from .builders import NOW, commitment

SUBJECT = commitment_subject(commitment())
FP = "ReportingOverdue:commitment:c-cloud"


def overdue(active: bool) -> Condition:
    return Condition(Rule.REPORTING_OVERDUE, active, 5, 0, date(2026, 4, 30), "overdue", None)


def step(state: dict[str, Alert], active: bool, days: int = 0) -> dict[str, Alert]:
    result = reconcile(SUBJECT, state, [overdue(active)], NOW + timedelta(days=days))
    return state | {a.fingerprint: a for a in result.changed}


def test_informational_rules_are_notified() -> None:
    c = Condition(Rule.MILESTONE_ACHIEVED, True, 5, 5, date(2026, 4, 30), "reached", None)
    fired = reconcile(SUBJECT, {}, [c], NOW).changed
    assert [a.status for a in fired] == [AlertStatus.NOTIFIED]


def test_an_acknowledgement_holds_for_its_episode_only() -> None:
    state = step({}, True)
    acked = state[FP].acknowledged_by("p-acme", "on it", NOW)
    assert acked.acknowledgement is not None and acked.acknowledgement.episode == 1
    resolved = step({FP: acked}, False, days=3)[FP]
    assert resolved.status is AlertStatus.RESOLVED
    assert resolved.acknowledgement == acked.acknowledgement
    with pytest.raises(AlertNotFiring):
        resolved.acknowledged_by("p-acme", "late", NOW)
    again = step({FP: resolved}, True, days=5)[FP]
    assert (again.episode, again.acknowledgement) == (2, None)
    renamed = acked.acknowledged_by("secretariat", "escalated", NOW)
    assert renamed.acknowledgement == replace(
        acked.acknowledgement, by="secretariat", note="escalated"
    )
