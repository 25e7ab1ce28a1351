"""A partner as the CLI sets it up on the real stack: registered, approved, with pledged
commitments (retried while commitments has not yet heard of the approval over Kafka), known
to monitoring when the stack has it."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from typer.testing import CliRunner, Result

from pact_common.dev_keys import DEV_ADMIN_API_KEY
from pactctl.main import app
from tests.support.kafka import BOOTSTRAP

from .conftest import Service


@dataclass(frozen=True)
class Stack:
    registry: Service
    commitments: Service | None = None
    monitoring: Service | None = None
    namespace: str | None = None

    def env(self, key: str | None) -> dict[str, str | None]:
        return {
            "PACT_API_KEY": key,
            "PACT_REGISTRY_URL": self.registry.url,
            "PACT_COMMITMENTS_URL": self.commitments.url if self.commitments else None,
            "PACT_MONITORING_URL": self.monitoring.url if self.monitoring else None,
            "PACT_TOPIC_NAMESPACE": self.namespace,
            "PACT_KAFKA_BOOTSTRAP": BOOTSTRAP,
            "COLUMNS": "200",
        }

    def run(self, *args: str, key: str | None) -> Result:
        return CliRunner().invoke(app, list(args), env=self.env(key))

    def json(self, *args: str, key: str | None) -> Any:
        result = self.run(*args, "-o", "json", key=key)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


def enrolled_partner(stack: Stack, name: str, country: str) -> dict[str, Any]:
    done = stack.json(
        "register", "--legal-name", name, "--organisation-type", "training_provider",
        "--hq-country", country, "--contact-name", "Eva Weber",
        "--contact-email", "skills@academy.example", "--accept-charter", key=None,
    )  # fmt: skip
    stack.json("partners", "approve", done["partner_id"], key=DEV_ADMIN_API_KEY)
    return dict(done)


def pledged(stack: Stack, key: str, *, cadence: str = "quarterly", wait: float = 30.0) -> str:
    args = [
        "commitments", "pledge", "--title", "Reskill 3,000 network technicians",
        "--principle", "lifelong_learning", "--action-type", "reskilling",
        "--specialisation", "networks_5g", "--level", "advanced", "--country", "PL,RO",
        "--target", "3,000", "--start-date", "2026-01-01", "--deadline", "2027-12-31",
        "--cadence", cadence, "--quiet",
    ]  # fmt: skip
    end = time.monotonic() + wait
    while True:
        result = stack.run(*args, key=key)
        if result.exit_code == 0:
            break
        assert "unknown_partner" in result.stderr or "not_active" in result.stderr, result.output
        assert time.monotonic() < end, result.output
        time.sleep(0.3)
    cid = result.stdout.strip()
    if stack.monitoring is not None:
        # Monitoring hears of the approval and of the pledge over Kafka, on consumers of its
        # own: until then it refuses the partner's key (403 unknown_partner or
        # partner_not_allowed) or does not know the commitment (404). A partner's answer on
        # the commitment's progress says it knows both.
        while (shown := stack.run("progress", "show", cid, key=key)).exit_code != 0:
            assert time.monotonic() < end, shown.output
            time.sleep(0.3)
    return cid
