"""The rebuild's pure parts: the merged replay order, the replay clock, its command line; and
the board's documents round trip."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import TopicPartition

from monitoring.notify.adapters.board_store import record_doc, record_from
from monitoring.notify.adapters.delivery_queue import delivery_doc, delivery_from
from monitoring.notify.domain.board import take
from monitoring.notify.domain.delivery import RetryPolicy, deliveries_for
from monitoring.rebuild.replay import ReplayClock, main
from monitoring.rebuild.topic_reader import Snapshot

from .builders import NOW
from .test_alert_board import alert
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
    with pytest.raises(SystemExit):
        main([])
    assert "--into NAME or MONITORING_REBUILD_DB" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--into", "monitoring"])
    assert "the service's own database" in capsys.readouterr().err


def test_board_documents_round_trip() -> None:
    record = take(None, alert())
    assert record is not None
    acked = record.acknowledged_by("p-acme", "on it", datetime(2026, 5, 16, tzinfo=UTC))
    assert record_from(record_doc(acked)) == acked
    delivery = deliveries_for(notice(), "{}", ["secretariat"], NOW)[0]
    failed = delivery.failed(NOW, "HTTP 500", RetryPolicy(), 500)
    assert delivery_from(delivery_doc(failed)) == failed
