"""The alert board: each record moves forward only (episode, then fired before resolved),
informational alerts are 'notified', and acknowledgements belong to one episode."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from monitoring.notify.domain.board import AlertNotFiring, AlertNotice, take
from monitoring.notify.domain.delivery import Notice, Transition

from .builders import NOW


def alert(
    episode: int = 1, transition: Transition = Transition.FIRED, **changes: Any
) -> AlertNotice:
    rule = changes.pop("rule", "ReportingOverdue")
    at = changes.pop("at", NOW)
    return AlertNotice(
        notice=Notice(
            event_id=f"e-{episode}-{transition.value}",
            event_type="AlertFired" if transition is Transition.FIRED else "AlertResolved",
            fingerprint=f"{rule}:commitment:c-cloud",
            episode=episode,
            transition=transition,
            partner_id="p-acme",
            partnership_id="digital-ecosystem",
        ),
        rule=rule,
        severity="warning",
        subject_type="commitment",
        subject_id="c-cloud",
        metric="people_trained",
        expected=5,
        actual=0,
        due_date=None,
        message="No progress report for 2026-Q1.",
        occurred_at=at,
        **changes,
    )


def test_an_episode_fires_resolves_and_fires_again() -> None:
    fired = take(None, alert())
    assert fired is not None
    assert (fired.status, fired.episode, fired.fired_at, fired.resolved_at) == (
        "firing",
        1,
        NOW,
        None,
    )
    later = NOW + timedelta(days=3)
    resolved = take(fired, alert(1, Transition.RESOLVED, at=later))
    assert resolved is not None
    assert (resolved.status, resolved.fired_at, resolved.resolved_at) == ("resolved", NOW, later)
    again = take(resolved, alert(2, at=later))
    assert again is not None and (again.status, again.episode) == ("firing", 2)


def test_what_is_not_newer_changes_nothing() -> None:
    fired = take(None, alert())
    resolved = take(fired, alert(1, Transition.RESOLVED))
    assert take(fired, alert()) is None  # a redelivery
    assert take(resolved, alert()) is None  # an older event, replayed
    assert take(resolved, alert(1, Transition.RESOLVED)) is None


def test_informational_rules_are_notified() -> None:
    record = take(None, alert(rule="MilestoneAchieved"))
    assert record is not None and record.status == "notified"


def test_an_acknowledgement_holds_for_its_episode_only() -> None:
    fired = take(None, alert())
    assert fired is not None
    acked = fired.acknowledged_by("p-acme", "on it", NOW)
    assert acked.acknowledgement is not None and acked.acknowledgement.episode == 1
    resolved = take(acked, alert(1, Transition.RESOLVED))
    assert resolved is not None and resolved.acknowledgement == acked.acknowledgement
    with pytest.raises(AlertNotFiring):
        resolved.acknowledged_by("p-acme", "late", NOW)
    again = take(resolved, alert(2))
    assert again is not None and again.acknowledgement is None
    renamed = acked.acknowledged_by("secretariat", "escalated", NOW)
    assert renamed.acknowledgement == replace(
        acked.acknowledgement, by="secretariat", note="escalated"
    )
