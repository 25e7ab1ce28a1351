"""No flapping: at risk fires past 10% short and resolves only under 5% short; a firing
alert's resolve is held until it has fired the minimum duration, and dropped if its
condition holds again meanwhile."""

from __future__ import annotations

from datetime import date, timedelta

from monitoring.core.domain.alerting import Alert, AlertStatus, Reconciled, reconcile
from monitoring.core.domain.conditions import AlertConfig, Condition, Rule
from monitoring.core.domain.rules import at_risk_condition, commitment_subject

from .builders import NOW, commitment, definition

CONFIG = AlertConfig(at_risk_tolerance=0.10, at_risk_min_elapsed=0.25)
SUBJECT = commitment_subject(commitment())
AS_OF = date(2026, 6, 30)  # half the window lived: forecast = 2 x progress on a straight plan
MINUTES = timedelta(minutes=5)


def short_by(share: float) -> float:
    """Progress at AS_OF whose forecast (straight plan, pace of the whole history) falls
    `share` short of the 20,000 target."""
    lived = definition().elapsed_fraction(AS_OF)
    return 20_000 * (1 - share) * lived


def test_at_risk_has_hysteresis_between_five_and_ten_percent_short() -> None:
    t = definition(milestones=())
    for share, fresh, firing in [(0.12, True, True), (0.07, False, True), (0.04, False, False)]:
        actual = short_by(share)
        assert at_risk_condition(t, actual, AS_OF, AS_OF, CONFIG).active is fresh, share
        assert at_risk_condition(t, actual, AS_OF, AS_OF, CONFIG, True).active is firing, share


def condition(active: bool) -> Condition:
    return Condition(Rule.COMMITMENT_AT_RISK, active, 100, 10, None, f"at risk {active}")


def apply(state: dict[str, Alert], result: Reconciled) -> dict[str, Alert]:
    return state | {a.fingerprint: a for a in result.changed}


def test_a_resolve_is_held_until_the_minimum_and_dropped_if_it_fires_again() -> None:
    state = apply({}, reconcile(SUBJECT, {}, [condition(True)], NOW, min_firing=MINUTES))
    events: list[str] = []
    at = NOW
    for i in range(20):  # back and forth every 10 s: one episode, nothing sent
        at += timedelta(seconds=10)
        result = reconcile(SUBJECT, state, [condition(i % 2 == 1)], at, min_firing=MINUTES)
        events += [type(e).__name__ for e in result.events]
        state = apply(state, result)
    (alert,) = state.values()
    assert events == [] and alert.episode == 1 and alert.status is AlertStatus.FIRING
    assert alert.resolve_after is None  # it held again last
    held = reconcile(SUBJECT, state, [condition(False)], at, min_firing=MINUTES)
    state = apply(state, held)
    assert held.events == [] and state[alert.fingerprint].resolve_after == NOW + MINUTES
    done = reconcile(SUBJECT, state, [condition(False)], NOW + MINUTES, min_firing=MINUTES)
    assert [type(e).__name__ for e in done.events] == ["AlertResolved"]
    assert done.changed[0].text_at_firing == "at risk True"
    assert done.changed[0].message == "at risk False"
