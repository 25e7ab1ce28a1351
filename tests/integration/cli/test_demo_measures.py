"""The demo (`make run`'s `pactctl demo`) on the real registry, commitments and monitoring,
time-lapsed as make run does (faster: five days a second) with two partners: its summary
shows people placed in digital jobs, unique learners with those the two partners share, and
the coverage gap of the common target it splits into cells (issue 17)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from unittest import mock

import pytest

from pact_common.dev_keys import DEV_ADMIN_API_KEY

from .conftest import Service, start, stop
from .partner_world import Stack

pytestmark = pytest.mark.integration

START = datetime.now(UTC).isoformat()
SPEED = str(5 * 86400)


@pytest.fixture(scope="module")
def stack(stack_namespace: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    lapse = {
        f"{m.upper()}_{k}": v
        for m in ("registry", "commitments", "monitoring")
        for k, v in (("CLOCK_START", START), ("CLOCK_SPEED", SPEED))
    }
    services: list[Service] = []
    try:
        with mock.patch.dict(os.environ, lapse):
            for module in ("registry", "commitments", "monitoring"):
                services.append(start(module, stack_namespace, tmp_path_factory.mktemp(module)))
        yield Stack(*services, stack_namespace)
    finally:
        for service in reversed(services):
            stop(service)


def test_the_demo_shows_placements_unique_learners_and_a_coverage_gap(stack: Stack) -> None:
    ran = stack.run(
        "demo", "--partners", "2", "--no-stay", "--webhook-port", "0",
        "--clock-start", START, "--clock-speed", SPEED, key=DEV_ADMIN_API_KEY,
    )  # fmt: skip
    out = " ".join(ran.stdout.split())
    assert ran.exit_code == 0, ran.output
    assert "splits a common target into cells; uncovered: advanced," in out
    assert "placed in digital jobs" in out
    assert "unique learners (of the reports with a learners sketch): about" in out
    assert "of them trained by two partners" in out
    assert "Coverage gap: advanced," in out and "0 pledged of 4,000" in out
