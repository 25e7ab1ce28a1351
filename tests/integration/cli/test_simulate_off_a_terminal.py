"""`pactctl simulate` as a service manager or CI runs it: off a terminal it says how far it
is every few seconds, and SIGTERM ends it with the summary, like Ctrl-C (a real process,
the real Kafka broker)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.support.kafka import BOOTSTRAP

pytestmark = pytest.mark.integration

PACTCTL = Path(sys.executable).parent / "pactctl"


def test_progress_every_few_seconds_and_a_summary_on_sigterm(
    infrastructure: None, tmp_path: Path
) -> None:
    commitments = tmp_path / "commitments.json"
    commitments.write_text(json.dumps({"items": [{
        "id": "c-sim1", "partner_id": "p-sim1", "countries": ["IE"], "levels": ["basic"],
        "start_date": "2025-01-01", "deadline": "2030-12-31", "target_value": 1000,
    }]}))  # fmt: skip
    env = {"PATH": "/usr/bin:/bin", "PACT_KAFKA_BOOTSTRAP": BOOTSTRAP,
           "PACT_TOPIC_NAMESPACE": f"t{uuid.uuid4().hex[:10]}."}  # fmt: skip
    process = subprocess.Popen(
        [str(PACTCTL), "simulate", "--from-file", str(commitments), "--rate", "20"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stderr is not None
    seen: list[str] = []
    for line in process.stderr:  # 1-3 s to start (more on a slow machine), a line at 5 s
        seen.append(line)
        if " s: " in line:  # its first progress line: its SIGTERM handler is in place
            break
    process.send_signal(signal.SIGTERM)
    out, rest = process.communicate(timeout=30)
    err = "".join(seen) + rest

    assert process.returncode == 0, out + err
    assert "5 s:" in err and "sent" in err and "acknowledged" in err  # a line every 5 s
    assert "report(s) acknowledged on" in out  # the summary, though it was stopped
    assert "Traceback" not in err
