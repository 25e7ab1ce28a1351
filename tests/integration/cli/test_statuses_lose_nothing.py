"""A status loses nothing (issue 17): a commitment that reaches its target part-way through a
stream of history keeps taking every later report, and corrections of the periods before,
on the real registry, commitments and monitoring (processes of their own) and real Kafka.
The achievement goes round as it does live: monitoring's TargetAchieved alert, commitments
marks the commitment achieved, and monitoring hears of it before the rest is sent."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from pactctl.commands.monitoring import items

from .conftest import Service
from .partner_world import Stack, enrolled_partner

pytestmark = pytest.mark.integration

MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]  # the stack runs on today's clock (end 2026)


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


def _pledge(stack: Stack, key: str) -> str:
    args = [
        "commitments", "pledge", "--title", "Reskill 3,000 network technicians",
        "--principle", "lifelong_learning", "--action-type", "reskilling",
        "--specialisation", "networks_5g", "--level", "advanced", "--country", "PL",
        "--target", "3,000", "--start-date", "2026-01-01", "--deadline", "2027-12-31",
        "--cadence", "monthly", "--quiet",
    ]  # fmt: skip
    result = _until(lambda: (r := stack.run(*args, key=key)).exit_code == 0 and r)
    cid = str(result.stdout.strip())
    # monitoring hears of the approval and the pledge on consumers of its own: until it
    # knows both, it would refuse the reports (unknown_partner), not keep them waiting
    _until(lambda: stack.run("progress", "show", cid, key=key).exit_code == 0)
    return cid


def _send(stack: Stack, key: str, path: Path, lines: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    summary = stack.json("progress", "send", str(path), key=key)
    assert (summary["sent"], summary["errors"]) == (len(lines), [])


def test_an_achieved_commitment_keeps_every_later_report_and_correction(
    stack: Stack, tmp_path: Path
) -> None:
    partner = enrolled_partner(stack, "Danube Network Academy", "PL")
    key = partner["api_key"]
    cid = _pledge(stack, key)

    def progress() -> dict[str, Any]:
        result = stack.run("progress", "show", cid, "-o", "json", key=key)
        return json.loads(result.stdout) if result.exit_code == 0 else {}

    # eight months of 400: 3,200 passes the target of 3,000 at the eighth
    sent = {month: (1, 400) for month in MONTHS}
    before = [{"commitment_id": cid, "period": m, "people_trained": 400} for m in MONTHS[:8]]
    _send(stack, key, tmp_path / "before.jsonl", before)
    _until(lambda: stack.json("commitments", "show", cid, key=key)["status"] == "achieved")
    _until(lambda: progress().get("status") == "achieved")  # monitoring knows it too

    # the rest of the history, after the achievement: later months and a correction
    sent["2026-02"] = (2, 550)
    after = [{"commitment_id": cid, "period": m, "people_trained": 400} for m in MONTHS[8:]]
    after.append({"commitment_id": cid, "period": "2026-02", "revision": 2, "people_trained": 550})
    _send(stack, key, tmp_path / "after.jsonl", after)

    def periods() -> dict[str, tuple[int, int]]:
        return {p["period"]: (p["revision"], p["people_trained"]) for p in progress()["periods"]}

    _until(lambda: periods() == sent)
    shown = progress()
    rejected = stack.json("progress", "rejections", key=key)["items"]
    total_sent = sum(n for _, n in sent.values())
    print(
        f"sent {len(before) + len(after)} reports, {total_sent} people trained; monitoring: "
        f"status {shown['status']}, achieved {shown['achieved']}, totals "
        f"{shown['totals']['people_trained']}, {len(rejected)} rejected"
    )
    assert shown["status"] == "achieved"
    assert shown["totals"]["people_trained"] == shown["achieved"] == total_sent == 4_950
    assert rejected == []
    listed = stack.json(
        "alerts", "list", "--status", "notified", "--partner", partner["partner_id"], key=key
    )
    alerts = [a for a in items(listed) if a["subject_id"] == cid]
    print("alerts:", [(a["rule"], a.get("status")) for a in alerts])
    achieved = [a for a in alerts if a["rule"] == "TargetAchieved"]
    assert len(achieved) == 1  # fired once, not again for the over-achievement
