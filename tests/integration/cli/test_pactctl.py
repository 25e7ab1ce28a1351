"""pactctl against the real registry and commitments services (processes of their own) and
the real Kafka broker: what it does is seen in the services' answers and on the topics."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from pact_common.dev_keys import DEV_ADMIN_API_KEY
from pact_contracts import PROGRESS_REPORTED, ProgressReported
from pact_contracts.signing import SIGNATURE_HEADER, verify
from pactctl.main import app
from tests.support.kafka import BOOTSTRAP, read_topic
from tests.unit.cli.samples import GOOD_CSV

from .conftest import Service
from .partner_world import Stack, enrolled_partner, pledged

pytestmark = pytest.mark.integration


def pactctl(*args: str, key: str | None, **urls: str) -> Result:
    env = {
        "PACT_API_KEY": key,
        "PACT_REGISTRY_URL": urls.get("registry"),
        "PACT_COMMITMENTS_URL": urls.get("commitments"),
        "PACT_MONITORING_URL": None,
        "PACT_TOPIC_NAMESPACE": urls.get("namespace"),
        "COLUMNS": "200",
    }
    return CliRunner().invoke(app, ["--json", "--kafka", BOOTSTRAP, *args], env=env)


def ok(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def register(registry: Service, name: str, country: str) -> dict[str, Any]:
    return ok(
        pactctl(
            "register", "--legal-name", name, "--type", "training_provider", "--hq", country,
            "--contact-name", "Eva Weber", "--contact-email", "skills@academy.example",
            "--accept-charter", key=None, registry=registry.url,
        )
    )  # fmt: skip


def test_a_partner_registers_is_approved_and_listed(registry: Service) -> None:
    done = register(registry, "Baltic Skills Institute", "LT")
    partner_id = done["partner_id"]
    assert done["status"] == "pending" and done["api_key"]

    def admin(*args: str) -> Any:
        return ok(pactctl(*args, key=DEV_ADMIN_API_KEY, registry=registry.url))

    pending = admin("partners", "list", "--status", "pending")
    assert partner_id in [p["id"] for p in pending["items"]]
    assert admin("partners", "approve", partner_id, "--reason", "Charter checked")["status"] == (
        "active"
    )
    active = admin("partners", "list", "--status", "active", "--country", "lt")
    assert [(p["id"], p["legal_name"]) for p in active["items"]] == [
        (partner_id, "Baltic Skills Institute")
    ]
    shown = admin("partners", "show", partner_id, "--history")
    assert [h["action"] for h in shown["history"]] == ["register", "approve"]
    assert shown["history"][1]["reason"] == "Charter checked"

    token = ok(pactctl("token", key=done["api_key"], registry=registry.url))
    assert (token["role"], token["partner_id"]) == ("partner", partner_id)

    refused = pactctl("partners", "approve", partner_id, key=DEV_ADMIN_API_KEY,
                      registry=registry.url)  # fmt: skip
    assert refused.exit_code == 1
    assert "409 illegal_transition: cannot approve a partner that is active" in refused.stderr


def test_progress_import_sends_exactly_the_rows_to_kafka(
    registry: Service, commitments: Service, stack_namespace: str, tmp_path: Path
) -> None:
    namespace = f"{stack_namespace}import."  # this test's own progress topic
    stack = Stack(registry, commitments, namespace=namespace)
    partner = enrolled_partner(stack, "Danube Code School", "AT")
    # The sheet's commitments are the partner's own (import refuses others by line).
    quarterly = pledged(stack, partner["api_key"])
    monthly = pledged(stack, partner["api_key"], cadence="monthly")
    sheet = tmp_path / "q3.csv"
    sheet.write_text(GOOD_CSV.replace("c-7b1d3e5f", quarterly).replace("c-1a2b3c4d", monthly))

    summary = stack.json("progress", "import", str(sheet), key=partner["api_key"])

    assert (summary["sent"], summary["via"]) == (3, "kafka")
    topic = f"{namespace}{PROGRESS_REPORTED.name}"
    records = asyncio.run(read_topic(topic, 3, settle=0.5))
    # Kafka orders records within a key's partition only: put them in the sheet's order.
    order = {event_id: n for n, event_id in enumerate(summary["event_ids"])}
    by_sheet = {order[str(ProgressReported.model_validate_json(r.value).event_id)]: r
                for r in records}  # fmt: skip
    records = [by_sheet[n] for n in sorted(by_sheet)]
    assert [r.key for r in records] == [partner["partner_id"].encode()] * 3
    reports = [ProgressReported.model_validate_json(r.value) for r in records]
    assert [str(r.event_id) for r in reports] == summary["event_ids"]
    # the partner's reports, on one partition, kept the sheet's order on the topic
    same_key = [
        ProgressReported.model_validate_json(r.value).period
        for r in asyncio.run(read_topic(topic, 3, settle=0.5))
        if r.key == partner["partner_id"].encode()
    ]
    assert same_key == ["2026-Q2", "2026-Q3", "2026-09"]
    assert {r.partner_id for r in reports} == {partner["partner_id"]}
    assert [(r.period, r.revision, r.people_trained) for r in reports] == [
        ("2026-Q2", 1, 120), ("2026-Q3", 1, 90), ("2026-09", 2, 15),
    ]  # fmt: skip
    assert reports[0].by_country == {"DE": 70, "FR": 50}
    assert reports[0].by_level == {"basic": 20, "intermediate": 50, "advanced": 40, "expert": 10}


def test_simulate_enrols_partners_pledges_and_streams_signed_reports(
    registry: Service, commitments: Service, stack_namespace: str, tmp_path: Path
) -> None:
    saved = tmp_path / "simulated.json"
    namespace = f"{stack_namespace}simulate."  # this test's own progress topic
    urls = {"registry": registry.url, "commitments": commitments.url, "namespace": namespace}
    args = [
        "simulate",
        "--partners",
        "3",
        "--count",
        "30",
        "--rate",
        "300",
        "--seed",
        "5",
        "--sign",
        "--save",
    ]

    summary = ok(pactctl(*args, str(saved), key=DEV_ADMIN_API_KEY, **urls))

    assert (summary["sent"], summary["acknowledged"], summary["failed"]) == (30, 30, 0)
    simulated = json.loads(saved.read_text())["commitments"]
    assert len(simulated) == 3
    owners = {c["commitment_id"]: c["partner_id"] for c in simulated}
    records = asyncio.run(read_topic(f"{namespace}{PROGRESS_REPORTED.name}", 30, settle=0.5))
    assert len(records) == 30
    public_keys = {
        partner_id: ok(pactctl("partners", "show", partner_id, key=DEV_ADMIN_API_KEY, **urls))[
            "signing_public_key"
        ]
        for partner_id in set(owners.values())
    }
    for record in records:
        report = ProgressReported.model_validate_json(record.value)
        assert report.producer == "pactctl-simulate"
        assert record.key == report.partner_id.encode()
        assert report.partner_id == owners[report.commitment_id]
        signature = dict(record.headers)[SIGNATURE_HEADER].decode()
        assert verify(json.loads(record.value), signature, public_keys[report.partner_id])
    assert {ProgressReported.model_validate_json(r.value).commitment_id for r in records} == set(
        owners
    )

    listed = ok(pactctl("commitments", "list", "--status", "active", key=DEV_ADMIN_API_KEY, **urls))
    assert {c["id"] for c in listed["items"]} >= set(owners)
    partners = ok(pactctl("partners", "list", "--status", "active", key=DEV_ADMIN_API_KEY, **urls))
    assert "Nimbus Cloud Europe SE" in [p["legal_name"] for p in partners["items"]]
