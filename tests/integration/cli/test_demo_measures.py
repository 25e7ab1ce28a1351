"""The demo (`make run`'s `pactctl demo`) on the real registry, commitments and monitoring,
time-lapsed as make run does (faster: five days a second) with five partners: its summary
shows people placed in digital jobs, unique learners with those the two partners that attach
a sketch share, and the coverage gap of the common target it splits into cells (issue 17).
Monitoring mails the development mail sink (scripts/mail_sink.py, a process on free ports):
the demo world's alerts reach the demo accounts (the secretariat's administrator, two
coordinators) grouped, each (alert, transition, person) once (issue 16); the counts are
printed before anything is asserted."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from unittest import mock
from urllib.parse import unquote

import httpx
import pytest
from typer.testing import Result

from pact_common.dev_keys import DEV_ADMIN_API_KEY
from pactctl.accounts import ADMIN_EMAIL
from tests.support.stack import ROOT, free_port

from .conftest import Service, start, stop
from .partner_world import Stack

pytestmark = pytest.mark.integration

START = datetime.now(UTC).isoformat()
SPEED = str(5 * 86400)
#: the alert email's link to an alert, and the line above it that says its transition
#: (monitoring.notify.domain.mail_text: "- FIRING [warning] Rule on commitment c-1")
PORTAL = "http://portal.test"
BLOCK = re.compile(r"^- (FIRING|RESOLVED|STILL FIRING) \[.*?\n.*?\n\s*" + re.escape(PORTAL)
                   + r"/alerts/(\S+)", re.M)  # fmt: skip


@pytest.fixture(scope="module")
def sink(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """The development mail sink on free ports, keeping its mail in a tmp dir: (API, SMTP port)."""
    smtp, http = free_port(), free_port()
    folder = tmp_path_factory.mktemp("mail")
    with (folder / "sink.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "scripts/mail_sink.py", "--smtp-port", str(smtp), "--http-port",
             str(http), "--dir", str(folder / "mail")],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{http}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (folder / "sink.log").read_text()
            time.sleep(0.1)
        yield url, smtp
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def stack(
    stack_namespace: str, sink: tuple[str, int], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    lapse = {
        f"{m.upper()}_{k}": v
        for m in ("registry", "commitments", "monitoring")
        for k, v in (("CLOCK_START", START), ("CLOCK_SPEED", SPEED))
    }
    # mail to the sink; the group wait is on the service's (time-lapsed) clock: two simulated
    # days are 0.4 s here. No repeats, so every transition a message lists is a distinct one
    mail = {
        "MONITORING_SMTP_HOST": "127.0.0.1",
        "MONITORING_SMTP_PORT": str(sink[1]),
        "MONITORING_PORTAL_URL": PORTAL,
        "MONITORING_EMAIL_GROUP_WAIT_SECONDS": str(2 * 86400),
        "MONITORING_EMAIL_REPEAT_INTERVAL_SECONDS": "0",
        "MONITORING_EMAIL_POLL_SECONDS": "0.2",
    }
    services: list[Service] = []
    try:
        with mock.patch.dict(os.environ, lapse | mail):
            for module in ("registry", "commitments", "monitoring"):
                services.append(start(module, stack_namespace, tmp_path_factory.mktemp(module)))
        yield Stack(*services, stack_namespace)
    finally:
        for service in reversed(services):
            stop(service)


@pytest.fixture(scope="module")
def demo(stack: Stack) -> Result:
    """`pactctl demo --partners 5`, once for the module (five partners take no longer than
    two, and their story fires warnings, mailed at once, as well as info alerts, digested)."""
    return stack.run(
        "demo", "--partners", "5", "--no-stay", "--webhook-port", "0",
        "--clock-start", START, "--clock-speed", SPEED, key=DEV_ADMIN_API_KEY,
    )  # fmt: skip


def test_the_demo_shows_placements_unique_learners_and_a_coverage_gap(demo: Result) -> None:
    ran = demo
    out = " ".join(ran.stdout.split())
    assert ran.exit_code == 0, ran.output
    assert "splits a common target into cells; uncovered: advanced," in out
    assert "placed in digital jobs" in out
    assert "unique learners (of the reports with a learners sketch): about" in out
    assert "of them trained by two partners" in out
    assert "Coverage gap: advanced," in out and "0 pledged of 4,000" in out


def mailbox(url: str) -> list[dict[str, Any]]:
    """Every message in the sink, with its text, through its Mailpit-shaped API."""
    with httpx.Client(base_url=url, timeout=10) as client:
        listing = client.get("/api/v1/messages", params={"limit": 10000}).json()
        assert listing["total"] == len(listing["messages"]), "the listing is all of them"
        return [client.get(f"/api/v1/message/{m['ID']}").json() for m in listing["messages"]]


def settled(url: str, quiet: float = 3.0, timeout: float = 60.0) -> list[dict[str, Any]]:
    """The sink's messages once none came for `quiet` seconds (or after `timeout`)."""
    seen, since, start_ = -1, time.monotonic(), time.monotonic()
    while True:
        messages = mailbox(url)
        now = time.monotonic()
        if len(messages) != seen:
            seen, since = len(messages), now
        elif now - since >= quiet or now - start_ >= timeout:
            return messages
        time.sleep(0.5)


def test_the_demo_worlds_alerts_reach_the_demo_accounts_grouped_each_once(
    demo: Result, sink: tuple[str, int]
) -> None:
    assert demo.exit_code == 0, demo.output
    messages = settled(sink[0])
    by_recipient: Counter[str] = Counter()
    listed: Counter[tuple[str, str, str]] = Counter()
    per_message = []
    states: Counter[str] = Counter()
    for m in messages:
        to = [a["Address"] for a in m["To"]]
        assert len(to) == 1, m["To"]
        by_recipient[to[0]] += 1
        blocks = BLOCK.findall(m["Text"])
        assert blocks, m["Text"]
        per_message.append(len(blocks))
        for state, fingerprint in blocks:
            listed[(unquote(fingerprint), state, to[0])] += 1
            states[state] += 1
    duplicates = {k: n for k, n in listed.items() if n > 1}
    print(f"\nmessages: {len(messages)}; alerts listed: {sum(listed.values())} "
          f"({len(listed)} distinct (alert, transition, recipient))")  # fmt: skip
    print("messages per recipient:", dict(by_recipient))
    print("alerts per message:", sorted(per_message, reverse=True))
    print("transitions listed:", dict(states))
    print("duplicates:", len(duplicates), duplicates)
    print("subjects:", sorted(Counter(m["Subject"] for m in messages).items())[:20])
    coordinators = {r for r in by_recipient if r.startswith("coordinator@")}
    assert ADMIN_EMAIL in by_recipient, by_recipient
    assert coordinators, by_recipient
    assert max(per_message) > 1, "a message lists several alerts"
    at_once = [m for m in messages if "Daily digest" not in m["Subject"]]
    assert any(m["To"][0]["Address"] == ADMIN_EMAIL for m in at_once), "warnings mailed at once"
    assert not duplicates, duplicates
