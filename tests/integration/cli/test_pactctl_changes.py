"""pactctl changes what was set up (issue 17): commitments amend and withdraw, partnership
targets list and set (split into cells), alerts ack, deliveries list and retry; on the real
registry, commitments and monitoring (processes of their own) and real Kafka."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from pact_common.dev_keys import DEV_ADMIN_API_KEY
from pactctl.commands.monitoring import items

from .conftest import Service
from .partner_world import Stack, enrolled_partner, pledged

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


def test_a_partner_amends_then_withdraws_its_commitment(stack: Stack) -> None:
    partner = enrolled_partner(stack, "Moravian Cloud School", "CZ")
    key = partner["api_key"]
    cid = pledged(stack, key)

    nothing = stack.run("commitments", "amend", cid, "--reason", "why not", key=key)
    assert nothing.exit_code == 1 and "nothing to amend" in nothing.stderr
    amended = stack.json(
        "commitments", "amend", cid, "--target", "3,500", "--deadline", "2028-06-30",
        "--milestone", "2027-12-31:2,000", "--reason", "Scope extended to SK", key=key,
    )  # fmt: skip
    assert (amended["version"], amended["target_value"], amended["deadline"]) == (
        2, 3500, "2028-06-30",
    )  # fmt: skip
    assert amended["history"][-1]["reason"] == "Scope extended to SK"
    said = stack.run("commitments", "amend", cid, "--target", "-5", "--reason", "x", key=key)
    assert said.exit_code == 1 and "--target" in said.stderr, said.output

    def monitored() -> dict[str, Any]:
        result = stack.run("progress", "show", cid, "-o", "json", key=key)
        return json.loads(result.stdout) if result.exit_code == 0 else {}

    _until(lambda: monitored().get("target_value") == 3500)

    gone = stack.run("commitments", "withdraw", cid, "--reason", "Programme ended", key=key)
    assert gone.exit_code == 0, gone.output
    assert f"Withdrew {cid}: version 3, status withdrawn" in " ".join(gone.stdout.split())
    assert stack.json("commitments", "show", cid, key=key)["status"] == "withdrawn"
    again = stack.run("commitments", "withdraw", cid, "--reason", "twice", key=key)
    assert again.exit_code == 1 and "withdrawn" in again.stderr


def test_the_secretariat_sets_a_split_target_every_partner_lists(stack: Stack) -> None:
    done = stack.json(
        "targets", "set", "--partnership", "digital-ecosystem",
        "--title", "Advanced skills in RO and PL", "--target", "8,000",
        "--start-date", "2026-01-01", "--deadline", "2027-12-31",
        "--milestone", "2026-12-31:3,000",
        "--cell", "level=advanced,country=RO,value=4000",
        "--cell", "level=advanced,country=pl,value=4,000", key=ADMIN,
    )  # fmt: skip
    target_id = done["target_id"]
    partner = enrolled_partner(stack, "Silesian Skills Hub", "PL")
    args = ("targets", "list", "--partnership", "digital-ecosystem", "-o", "json")
    # the partner may list once commitments has heard of its approval (over Kafka)
    shown = _until(lambda: (r := stack.run(*args, key=partner["api_key"])).exit_code == 0 and r)
    listed = json.loads(shown.stdout)
    mine = next(t for t in listed["items"] if t["id"] == target_id)
    assert mine["target_value"] == 8000 and mine["milestones"][0]["value"] == 3000
    assert sorted((c["country"], c["value"]) for c in mine["cells"]) == [("PL", 4000), ("RO", 4000)]
    refused = stack.run(
        "targets", "set", "--title", "mine", "--target", "1", "--start-date", "2026-01-01",
        "--deadline", "2027-12-31", key=partner["api_key"],
    )  # fmt: skip
    assert refused.exit_code == 1, refused.output
    bad = stack.run(
        "targets", "set", "--title", "t", "--target", "1", "--start-date", "2026-01-01",
        "--deadline", "2027-12-31", "--cell", "planet=mars,value=1", key=ADMIN,
    )  # fmt: skip
    assert bad.exit_code == 1 and "--cell 'planet=mars,value=1'" in bad.stderr


def test_alerts_ack_and_deliveries_retry(stack: Stack) -> None:
    """A commitment pledged this year with nothing reported raises alerts at once (its
    quarters are overdue); the partner has no webhook, so their deliveries are skipped."""
    partner = enrolled_partner(stack, "Pannonian Data Academy", "HU")
    key, pid = partner["api_key"], partner["partner_id"]
    cid = pledged(stack, key)

    def firing() -> list[dict[str, Any]]:
        listed = stack.json("alerts", "list", "--partner", pid, key=key)
        return [a for a in items(listed) if a["subject_id"] == cid]

    alert = _until(firing)[0]
    acked = stack.json("alerts", "ack", alert["fingerprint"], "--note", "Catch-up plan", key=key)
    assert acked["acknowledgement"]["note"] == "Catch-up plan"

    def skipped() -> list[dict[str, Any]]:
        found = stack.json(
            "deliveries", "list", "--status", "skipped", "--receiver", f"partner:{pid}", key=ADMIN
        )
        return items(found)

    delivery = _until(skipped)[0]
    retried = stack.json("deliveries", "retry", delivery["delivery_id"], key=ADMIN)
    assert retried["delivery_id"] == delivery["delivery_id"]
    assert retried["status"] == "pending" and retried["attempts"] == 0
    not_allowed = stack.run("deliveries", "retry", delivery["delivery_id"], key=key)
    assert not_allowed.exit_code == 1, not_allowed.output
