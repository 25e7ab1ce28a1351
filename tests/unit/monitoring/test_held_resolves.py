"""A firing alert whose resolve is held (`min_firing`) through the service layer: the head
remembers it and until when, a batch does not read it while its condition still does not
hold, and reads it again when its condition is gone or its hold has ended, which resolve it
as before. (Its condition holding again during the hold, which drops the hold: the at-risk
line crossed ten times in tests/integration/monitoring/test_silences.py, on mongod.)"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import timedelta
from typing import Any

import pytest

from monitoring.core.domain import commands
from monitoring.core.domain.alerting import Alert, AlertStatus
from monitoring.core.domain.conditions import AlertConfig
from monitoring.core.domain.events import AlertResolved
from monitoring.core.domain.model import CommitmentStatus
from monitoring.core.service_layer import evaluation, handlers

from . import fakes
from .builders import NOW, commitment, partner, report
from .test_handlers import Clock

HOLD = timedelta(minutes=5)
POLICY = handlers.Policy(park_for=timedelta(days=2), alerts=AlertConfig(min_firing=HOLD))
OVERDUE = "ReportingOverdue:commitment:c-cloud"


class Reads:
    """What the batches asked of the alerts: the fingerprints left out of each read of the
    firing alerts (a head stored before it kept its firing alerts), those that read gave,
    and those read whole besides."""

    def __init__(self) -> None:
        self.skipped: list[set[str]] = []
        self.firing: list[set[str]] = []
        self.whole: list[set[str]] = []

    def clear(self) -> None:
        self.skipped, self.firing, self.whole = [], [], []

    def read(self) -> set[str]:
        """Every fingerprint read, in either read."""
        return set().union(*self.firing, *self.whole)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Reads:
    seen = Reads()

    class Recorded(fakes.FakeAlertRepository):
        async def firing_of(
            self, subject_keys: Iterable[str], skip: Collection[str] = ()
        ) -> dict[str, dict[str, Alert]]:
            seen.skipped.append(set(skip))
            found = await super().firing_of(subject_keys, skip)
            seen.firing.append({fp for alerts in found.values() for fp in alerts})
            return found

        async def whole(self, fingerprints: Iterable[str]) -> dict[str, Alert]:
            asked = set(fingerprints)
            seen.whole.append(asked)
            return await super().whole(asked)

    monkeypatch.setitem(fakes._REPOSITORIES, "alerts", Recorded)
    return seen


async def fresh(reads: Reads) -> tuple[fakes.FakeUnitOfWork, Clock]:
    """At NOW, nothing reported: ReportingOverdue (2026-Q1) and CommitmentAtRisk fire."""
    uow, clock = fakes.FakeUnitOfWork(), Clock()
    await handlers.record_partner(commands.RecordPartner(partner()), uow, clock, POLICY)
    await handlers.record_commitment(commands.RecordCommitment(commitment()), uow, clock, POLICY)
    assert uow.store.alerts[OVERDUE].is_firing
    return uow, clock


async def take(uow: fakes.FakeUnitOfWork, clock: Clock, *reports: Any) -> None:
    await handlers.take_reports(commands.TakeReports(list(reports)), uow, clock, POLICY)


def resolved(uow: fakes.FakeUnitOfWork) -> list[Alert]:
    return [e.alert for e in uow.store.published if isinstance(e, AlertResolved)]


async def test_a_held_alert_is_not_read_until_its_hold_ends(reads: Reads) -> None:
    uow, clock = await fresh(reads)
    clock.advance(seconds=10)
    await take(uow, clock, report("2026-Q1", 100))  # reported: overdue stops holding
    alert = uow.store.alerts[OVERDUE]
    assert alert.is_firing and alert.resolve_after == NOW + HOLD
    assert uow.store.commitments["c-cloud"].held == {OVERDUE: NOW + HOLD}

    reads.clear()
    clock.advance(seconds=10)
    await take(uow, clock, report("2025-Q1", 100))  # still not holding, hold not ended
    print(f"\nread (firing, whole): {reads.firing}, {reads.whole}")
    assert OVERDUE not in reads.read()
    assert uow.store.alerts[OVERDUE] == alert and resolved(uow) == []
    assert uow.store.commitments["c-cloud"].held == {OVERDUE: NOW + HOLD}

    reads.clear()
    clock.advance(minutes=5)
    await take(uow, clock, report("2025-Q2", 100))  # the hold has ended: read, resolved
    assert OVERDUE in reads.read()
    (closed,) = resolved(uow)
    assert (
        closed.fingerprint == OVERDUE and uow.store.alerts[OVERDUE].status is AlertStatus.RESOLVED
    )
    assert closed.text_at_firing == alert.text_at_firing  # the alert read whole, resolved
    assert uow.store.commitments["c-cloud"].held == {}


async def test_a_held_alert_whose_condition_is_gone_is_read_and_resolved(reads: Reads) -> None:
    uow, clock = await fresh(reads)
    clock.advance(seconds=10)
    await take(uow, clock, report("2026-Q1", 100))
    assert uow.store.commitments["c-cloud"].held == {OVERDUE: NOW + HOLD}
    clock.advance(seconds=10)
    gone = commitment(version=2, status=CommitmentStatus.WITHDRAWN)
    await handlers.record_commitment(commands.RecordCommitment(gone), uow, clock, POLICY)
    assert OVERDUE in set().union(*reads.whole)
    closed = {a.fingerprint: a for a in resolved(uow)}
    assert closed[OVERDUE].message.endswith("Resolved: commitment c-cloud is withdrawn.")
    assert uow.store.alerts[OVERDUE].status is AlertStatus.RESOLVED
    assert uow.store.commitments["c-cloud"].held == {}


async def test_a_head_knows_its_firing_alerts_and_reads_none_while_they_hold(
    reads: Reads,
) -> None:
    uow, clock = await fresh(reads)
    head = uow.store.commitments["c-cloud"]
    assert head.firing is not None and head.firing[OVERDUE] == 1
    firing = dict(head.firing)

    reads.clear()
    clock.advance(seconds=10)
    await take(uow, clock, report("2025-Q1", 1))  # 2026-Q1 still unreported: overdue holds
    print(f"\nread (firing, whole) while they hold: {reads.firing}, {reads.whole}")
    assert reads.read() == set() and reads.skipped == []
    assert uow.store.commitments["c-cloud"].firing == firing
    assert uow.store.alerts[OVERDUE].is_firing and uow.store.alerts[OVERDUE].episode == 1

    # a head stored before it kept them: its firing alerts are read, and kept again
    uow.store.commitments["c-cloud"].firing = None
    reads.clear()
    clock.advance(seconds=10)
    await take(uow, clock, report("2025-Q2", 1))
    assert OVERDUE in reads.read()
    assert uow.store.commitments["c-cloud"].firing == firing
    assert uow.store.alerts[OVERDUE].episode == 1 and resolved(uow) == []


async def test_a_known_firing_alert_whose_condition_stops_is_read_and_held(reads: Reads) -> None:
    uow, clock = await fresh(reads)
    reads.clear()
    clock.advance(seconds=10)
    await take(uow, clock, report("2026-Q1", 100))  # overdue stops holding: read whole
    assert reads.skipped == [] and OVERDUE in set().union(*reads.whole)
    head = uow.store.commitments["c-cloud"]
    assert head.firing is not None and OVERDUE not in head.firing
    assert head.held == {OVERDUE: NOW + HOLD}
    assert uow.store.alerts[OVERDUE].resolve_after == NOW + HOLD


async def test_a_known_firing_alert_no_longer_stored_is_forgotten(reads: Reads) -> None:
    uow, clock = await fresh(reads)
    del uow.store.alerts[OVERDUE]  # lost (a restore from an older backup, say)
    clock.advance(seconds=10)
    await take(uow, clock, report("2026-Q1", 100))  # overdue stops holding: read, not found
    assert OVERDUE in set().union(*reads.whole)
    head = uow.store.commitments["c-cloud"]
    assert head.firing is not None and OVERDUE not in head.firing and OVERDUE not in head.held
    assert OVERDUE not in uow.store.alerts and resolved(uow) == []


async def test_a_held_at_risk_alert_counts_as_firing_until_resolved(
    reads: Reads, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The at-risk hysteresis (it resolves only well inside the line it fires past) counts
    a held at-risk alert as firing, its hold ended or not, until it is resolved: after the
    hold, the batch that reads it must still evaluate it as firing."""
    at_risk = "CommitmentAtRisk:commitment:c-cloud"
    uow, clock = await fresh(reads)
    assert uow.store.alerts[at_risk].is_firing
    clock.advance(seconds=10)
    await take(uow, clock, report("2026-Q1", 100_000))  # far ahead: no longer at risk, held
    assert at_risk in uow.store.commitments["c-cloud"].held
    asked: list[bool] = []
    real = evaluation.evaluate_commitment

    def spy(p: Any, today: Any, config: Any, at_risk_firing: bool = False, *more: Any) -> Any:
        asked.append(at_risk_firing)
        return real(p, today, config, at_risk_firing, *more)

    monkeypatch.setattr(evaluation, "evaluate_commitment", spy)
    for wait in (timedelta(seconds=10), HOLD):  # while held, then once the hold has ended
        clock.advance(seconds=wait.total_seconds())
        await take(uow, clock, report("2025-Q1", 1))
    print(f"\nat risk firing, as the rules were told: {asked}")
    assert asked == [True, True]
    assert uow.store.alerts[at_risk].status is AlertStatus.RESOLVED  # then resolved
