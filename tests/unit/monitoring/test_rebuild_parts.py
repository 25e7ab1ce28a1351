"""The rebuild's pure parts: the merged replay order, the replay clock, its command line; and
the alert and delivery documents round trip; the announced episodes it aligns with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import TopicPartition

import pact_contracts as c
from monitoring.core.adapters.alert_documents import alert_doc, alert_from
from monitoring.core.domain.alerting import reconcile
from monitoring.notify.adapters.delivery_queue import delivery_doc, delivery_from
from monitoring.notify.domain.delivery import RetryPolicy, deliveries_for
from monitoring.rebuild.replay import ReplayClock, main
from monitoring.rebuild.store import latest_announced
from monitoring.rebuild.topic_reader import Snapshot

from .builders import NOW
from .test_acknowledgement import SUBJECT, overdue
from .test_delivery import notice


@dataclass(frozen=True)
class R:
    topic: str
    partition: int
    offset: int
    timestamp: int


def test_the_replay_follows_record_time_keeping_each_partition_in_order() -> None:
    p0 = [R("progress", 0, 0, 100), R("progress", 0, 1, 90), R("progress", 0, 2, 300)]
    partners = [R("partners", 0, 0, 100), R("partners", 0, 1, 200)]
    snapshot = Snapshot(
        partitions={TopicPartition("progress", 0): p0, TopicPartition("partners", 0): partners}
    )
    order = [(r.topic, r.offset) for r in snapshot.merged(["partners", "progress"])]
    assert order == [
        ("partners", 0),  # at equal times, reference data first
        ("progress", 0),
        ("progress", 1),  # an earlier timestamp never overtakes its partition
        ("partners", 1),
        ("progress", 2),
    ]


def test_the_replay_clock_follows_the_latest_record_then_now() -> None:
    clock = ReplayClock()
    clock.follow(int(NOW.timestamp() * 1000))
    clock.follow(int((NOW - timedelta(days=1)).timestamp() * 1000))
    assert clock() == NOW
    clock.finish()
    assert clock() > NOW
    fixed = ReplayClock(lambda: NOW)
    fixed.follow(0)
    assert fixed() == NOW


def test_the_command_refuses_no_database_and_the_services_own(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("MONITORING_REBUILD_DB", raising=False)
    monkeypatch.setenv("MONITORING_ENVIRONMENT", "test")
    with pytest.raises(SystemExit):
        main([])
    assert "--into NAME or MONITORING_REBUILD_DB" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--into", "monitoring"])
    assert "the service's own database" in capsys.readouterr().err


def test_alert_and_delivery_documents_round_trip() -> None:
    (fired,) = reconcile(SUBJECT, {}, [overdue(True)], NOW).changed
    acked = fired.acknowledged_by("p-acme", "on it", datetime(2026, 5, 16, tzinfo=UTC))
    assert alert_from(alert_doc(acked)) == acked
    assert alert_from(alert_doc(fired)) == fired
    delivery = deliveries_for(notice(), "{}", ["secretariat"], NOW)[0]
    failed = delivery.failed(NOW, "HTTP 500", RetryPolicy(), 500)
    assert delivery_from(delivery_doc(failed)) == failed


def test_the_latest_announced_transition_of_each_fingerprint() -> None:
    def event(kind: type, episode: int) -> c.AlertFired | c.AlertResolved:
        return kind(  # type: ignore[no-any-return]
            fingerprint="ReportingOverdue:commitment:c-cloud",
            episode=episode,
            rule=c.AlertRule.REPORTING_OVERDUE,
            severity=c.Severity.WARNING,
            subject_type=c.SubjectType.COMMITMENT,
            subject_id="c-cloud",
            partner_id="p-acme",
            partnership_id="digital-ecosystem",
            metric="people_trained",
            expected=5,
            actual=0,
            message="overdue",
        )

    fired2, resolved1 = event(c.AlertFired, 2), event(c.AlertResolved, 1)
    latest = latest_announced([event(c.AlertFired, 1), fired2, resolved1])
    assert latest == {"ReportingOverdue:commitment:c-cloud": fired2}
    resolved2 = event(c.AlertResolved, 2)
    assert latest_announced([resolved2, fired2])["ReportingOverdue:commitment:c-cloud"] is resolved2
