from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pact_common.clock import TimeLapse
from pact_common.settings import ServiceSettings, utc_now

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_time_lapse_runs_faster_from_its_real_start() -> None:
    real = [START + timedelta(seconds=10)]
    clock = TimeLapse(START, 86400, real=lambda: real[0])
    assert clock() == START + timedelta(days=10)
    real[0] += timedelta(seconds=1)
    assert clock() == START + timedelta(days=11)


def test_settings_give_real_time_unless_told_otherwise() -> None:
    assert ServiceSettings(environment="test").clock() is utc_now
    lapse = ServiceSettings(environment="test", clock_start=START, clock_speed=3600).clock()
    assert isinstance(lapse, TimeLapse) and lapse.speed == 3600
