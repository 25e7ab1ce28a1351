"""pactctl for split targets and calls for pledges (issue 17): `targets set --cell
advanced,RO=4000` (the portal's way of writing a cell), `calls publish` by the secretariat,
`calls list` by every active partner; on the real registry, commitments and monitoring
(processes of their own) and real Kafka."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from pact_common.dev_keys import DEV_ADMIN_API_KEY

from .conftest import Service
from .partner_world import Stack, enrolled_partner

pytestmark = pytest.mark.integration

ADMIN = DEV_ADMIN_API_KEY


@pytest.fixture(scope="module")
def stack(
    registry: Service, commitments: Service, monitoring: Service, stack_namespace: str
) -> Stack:
    return Stack(registry, commitments, monitoring, stack_namespace)


def _until(check: Any, timeout: float = 45.0) -> Any:
    end = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < end, "timed out"
        time.sleep(0.3)
    return found


def test_the_secretariat_calls_for_pledges_every_partner_reads(stack: Stack) -> None:
    args = (
        "targets", "set", "--partnership", "digital-ecosystem",
        "--title", "Advanced in RO, women in PL", "--target", "8,000",
        "--start-date", "2026-01-01", "--deadline", "2027-12-31",
        "--cell", "advanced,RO=4,000", "--cell", "pl, female=4000", "-o", "json",
    )  # fmt: skip

    def set_once_known() -> Any:  # the registry's partnership reaches commitments over Kafka
        result = stack.run(*args, key=ADMIN)
        assert result.exit_code == 0 or "unknown_partnership" in result.output, result.output
        return result.exit_code == 0 and json.loads(result.stdout)

    target_id = _until(set_once_known)["target_id"]
    listed = stack.json("targets", "list", "--partnership", "digital-ecosystem", key=ADMIN)
    cells = next(t for t in listed["items"] if t["id"] == target_id)["cells"]
    assert sorted((c["level"] or "", c["country"], c["gender"], c["value"]) for c in cells) == [
        ("", "PL", "female", 4000),
        ("advanced", "RO", None, 4000),
    ]
    bad = stack.run(
        "targets", "set", "--title", "t", "--target", "1", "--start-date", "2026-01-01",
        "--deadline", "2027-12-31", "--cell", "advanced,expert=1", key=ADMIN,
    )  # fmt: skip
    assert bad.exit_code == 1 and "a second level" in bad.stderr, bad.output

    message = "Advanced training in Romania has no pledge yet: who can help?"
    published = stack.json(
        "calls", "publish", target_id, "--cell", "advanced,RO=4000", "--message", message,
        key=ADMIN,
    )  # fmt: skip
    assert published["target_id"] == target_id and published["message"] == message
    assert published["cells"] == [
        {"level": "advanced", "country": "RO", "gender": None, "value": 4000}
    ]
    # more than the cell needs is refused, named by the option
    too_much = stack.run(
        "calls", "publish", target_id, "--cell", "advanced,RO=9000", "--message", "more",
        key=ADMIN,
    )  # fmt: skip
    assert too_much.exit_code == 1, too_much.output

    partner = enrolled_partner(stack, "Carpathian Code Academy", "RO")
    key = partner["api_key"]
    args = ("calls", "list", "--partnership", "digital-ecosystem", "-o", "json")
    shown = _until(lambda: (r := stack.run(*args, key=key)).exit_code == 0 and r)
    calls = json.loads(shown.stdout)["items"]
    assert calls[0]["id"] == published["id"] and calls[0]["message"] == message
    table = stack.run("calls", "list", key=key)
    assert table.exit_code == 0 and "advanced, RO: 4,000" in table.stdout, table.output
    refused = stack.run(
        "calls", "publish", target_id, "--cell", "advanced,RO=1", "--message", "mine",
        key=key,
    )  # fmt: skip
    assert refused.exit_code == 1, refused.output
