"""Settings for services under test: their own database and topics, quick group joins."""

from __future__ import annotations

from typing import Any, TypeVar

from pact_common.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)

#: The rate limits of services under test: more than any test makes.
TEST_RATE_LIMIT = "1000000/minute"


def settings_for_test(cls: type[S], namespace: str, db_name: str, **overrides: Any) -> S:
    values: dict[str, Any] = {
        "environment": "test",
        "mongo_db": db_name,
        "topic_namespace": namespace,
        "kafka_session_timeout_ms": 2000,
        "outbox_poll_seconds": 0.1,
        "log_json": True,
        "log_level": "WARNING",
        # fuzzing and polling loops make thousands of requests a minute as one principal;
        # tests/security/test_rate_limits.py proves the limits with low ones
        "rate_limit": TEST_RATE_LIMIT,
        "rate_limit_anonymous": TEST_RATE_LIMIT,
    }
    values.update(overrides)
    return cls(**values)
