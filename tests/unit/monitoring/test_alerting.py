"""The alert state machine: one fired and one resolved event per episode, idempotently."""

from __future__ import annotations

from datetime import date, timedelta

from monitoring.core.domain.alerting import Alert, AlertState, AlertStatus, Reconciled, reconcile
from monitoring.core.domain.conditions import Condition, Rule, Severity
from monitoring.core.domain.events import AlertFired, AlertResolved
from monitoring.core.domain.rules import commitment_subject

from .builders import NOW, commitment

SUBJECT = commitment_subject(commitment())
LATER = NOW + timedelta(days=1)


def condition(rule: Rule, active: bool, actual: float = 10, key: str | None = None) -> Condition:
    return Condition(rule, active, 100, actual, date(2026, 12, 31), f"{rule} {active}", key)


def apply(state: dict[str, Alert], result: Reconciled) -> dict[str, Alert]:
    return state | {a.fingerprint: a for a in result.changed}


def kinds(result: Reconciled) -> list[tuple[str, str, int]]:
    return [(type(e).__name__, e.alert.fingerprint, e.alert.episode) for e in result.events]


def test_an_active_condition_fires_once_then_nothing_until_it_clears() -> None:
    first = reconcile(SUBJECT, {}, [condition(Rule.TARGET_MISSED, True)], NOW)
    fp = "TargetMissed:commitment:c-cloud"
    assert kinds(first) == [("AlertFired", fp, 1)]
    fired = first.changed[0]
    assert (fired.status, fired.severity, fired.fired_at) == (
        AlertStatus.FIRING,
        Severity.CRITICAL,
        NOW,
    )
    assert (fired.expected, fired.actual, fired.due_date) == (100, 10, date(2026, 12, 31))
    state = apply({}, first)
    again = reconcile(SUBJECT, state, [condition(Rule.TARGET_MISSED, True, actual=20)], LATER)
    assert again.events == [] and again.changed == []


def test_clearing_resolves_the_same_episode_with_the_current_values() -> None:
    state = apply({}, reconcile(SUBJECT, {}, [condition(Rule.TARGET_MISSED, True)], NOW))
    cleared = reconcile(SUBJECT, state, [condition(Rule.TARGET_MISSED, False, actual=100)], LATER)
    assert kinds(cleared) == [("AlertResolved", "TargetMissed:commitment:c-cloud", 1)]
    resolved = cleared.changed[0]
    assert (resolved.status, resolved.resolved_at, resolved.actual) == (
        AlertStatus.RESOLVED,
        LATER,
        100,
    )
    assert resolved.message == "TargetMissed False"
    state = apply(state, cleared)
    assert reconcile(SUBJECT, state, [condition(Rule.TARGET_MISSED, False)], LATER).events == []


def test_a_new_episode_after_a_resolution() -> None:
    state: dict[str, Alert] = {}
    episodes = []
    for active in (True, False, True, False, True):
        result = reconcile(SUBJECT, state, [condition(Rule.COMMITMENT_AT_RISK, active)], NOW)
        episodes += kinds(result)
        state = apply(state, result)
    assert [(k, e) for k, _, e in episodes] == [
        ("AlertFired", 1),
        ("AlertResolved", 1),
        ("AlertFired", 2),
        ("AlertResolved", 2),
        ("AlertFired", 3),
    ]


def test_informational_rules_fire_once_and_never_resolve() -> None:
    state: dict[str, Alert] = {}
    events = []
    for active in (True, False, True, True):
        result = reconcile(SUBJECT, state, [condition(Rule.TARGET_ACHIEVED, active)], NOW)
        events += result.events
        state = apply(state, result)
    assert [type(e) for e in events] == [AlertFired]
    assert events[0].alert.severity is Severity.INFO
    assert state["TargetAchieved:commitment:c-cloud"].status is AlertStatus.NOTIFIED


def test_milestones_have_separate_fingerprints() -> None:
    result = reconcile(
        SUBJECT,
        {},
        [
            condition(Rule.MILESTONE_MISSED, True, key="2025-12-31"),
            condition(Rule.MILESTONE_MISSED, True, key="2026-12-31"),
        ],
        NOW,
    )
    assert {fp for _, fp, _ in kinds(result)} == {
        "MilestoneMissed:commitment:c-cloud:2025-12-31",
        "MilestoneMissed:commitment:c-cloud:2026-12-31",
    }


def test_firing_alerts_whose_rule_is_gone_resolve_saying_why() -> None:
    state = apply({}, reconcile(SUBJECT, {}, [condition(Rule.REPORTING_OVERDUE, True)], NOW))
    gone = reconcile(SUBJECT, state, [], LATER, gone="commitment c-cloud is withdrawn")
    assert [type(e) for e in gone.events] == [AlertResolved]
    assert gone.changed[0].message.endswith("Resolved: commitment c-cloud is withdrawn.")


def test_replaying_the_same_conditions_changes_nothing() -> None:
    conditions = [
        condition(Rule.MILESTONE_MISSED, True, key="2026-12-31"),
        condition(Rule.TARGET_ACHIEVED, True),
        condition(Rule.TARGET_MISSED, False),
    ]
    state = apply({}, reconcile(SUBJECT, {}, conditions, NOW))
    for _ in range(3):
        assert reconcile(SUBJECT, state, conditions, LATER) == Reconciled()


def test_the_state_of_an_alert_that_is_not_firing_is_enough() -> None:
    """What the hot path reads of an alert that is not firing (AlertState): a notified one
    stays quiet, a resolved one fires its next episode, as the whole alert would."""
    reached = condition(Rule.MILESTONE_ACHIEVED, True, key="2026-06-30")
    missed = condition(Rule.TARGET_MISSED, True)
    first = apply({}, reconcile(SUBJECT, {}, [reached, missed], NOW))
    closed = apply(
        first, reconcile(SUBJECT, first, [reached, condition(Rule.TARGET_MISSED, False)], LATER)
    )
    states = {fp: AlertState(fp, a.status, a.episode) for fp, a in closed.items()}
    print("\nstates:", sorted((s.fingerprint, s.status.value, s.episode) for s in states.values()))
    with_states = reconcile(SUBJECT, states, [reached, missed], LATER + timedelta(days=1))
    whole = reconcile(SUBJECT, closed, [reached, missed], LATER + timedelta(days=1))
    assert (
        kinds(with_states) == kinds(whole) == [("AlertFired", "TargetMissed:commitment:c-cloud", 2)]
    )
    assert with_states == whole
