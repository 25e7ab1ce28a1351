"""What a partner sends never vanishes, and the CLI says what is wrong in the user's words,
on the real registry, commitments and monitoring (processes of their own) and real Kafka."""

from __future__ import annotations

import csv
import io
import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from pact_common.dev_keys import DEV_ADMIN_API_KEY

from .conftest import Service
from .partner_world import Stack, enrolled_partner, pledged

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def stack(
    registry: Service, commitments: Service, monitoring: Service, stack_namespace: str
) -> Stack:
    return Stack(registry, commitments, monitoring, stack_namespace)


def _until(check: Any, timeout: float = 30.0) -> Any:
    """Ask again until `check` finds something: a refusal too (monitoring answers 404 for a
    commitment until the pledge's event reaches it) counts as not yet, until the timeout."""
    end = time.monotonic() + timeout
    while True:
        try:
            found = check()
        except AssertionError:
            if time.monotonic() >= end:
                raise
            found = None
        if found:
            return found
        assert time.monotonic() < end, "timed out"
        time.sleep(0.3)


def test_a_mistyped_commitment_id_is_refused_by_line_before_sending(
    stack: Stack, tmp_path: Path
) -> None:
    partner = enrolled_partner(stack, "Vistula Network Academy", "PL")
    real = pledged(stack, partner["api_key"])
    typo = real[:-1] + ("x" if real[-1] != "x" else "y")
    sheet = tmp_path / "q3.csv"
    sheet.write_text(f"commitment_id,period,people_trained\n{real},2026-Q2,10\n{typo},2026-Q3,12\n")

    result = stack.run("progress", "import", str(sheet), "--via", "http", key=partner["api_key"])

    assert result.exit_code == 1
    assert "nothing was sent" in result.stderr
    assert "unknown_commitment" in result.stderr
    assert f"{typo} is not a commitment of partner {partner['partner_id']}" in " ".join(
        result.stderr.split()
    )
    assert f"did you mean {real}?" in " ".join(result.stderr.split())
    # nothing reached monitoring, which knows the commitment (pledged waits for that)
    shown = stack.json("progress", "show", real, key=partner["api_key"])
    assert shown["periods"] == []


def test_progress_send_puts_each_line_on_kafka_and_monitoring_applies_it(
    stack: Stack, tmp_path: Path
) -> None:
    """JSON lines as a partner system writes them (no event_id, no partner_id: the API key's
    partner), sent by pactctl's own Kafka client, then applied by monitoring."""
    partner = enrolled_partner(stack, "Tisza Software School", "HU")
    key = partner["api_key"]
    quarterly, monthly = pledged(stack, key), pledged(stack, key, cadence="monthly")
    lines = [
        {"commitment_id": quarterly, "period": "2026-Q1", "people_trained": 40,
         "by_country": {"PL": 30, "RO": 10}},
        {"commitment_id": monthly, "period": "2026-03", "people_trained": 7,
         "investment_eur": 1500.5},
        {"commitment_id": quarterly, "period": "2026-Q2", "people_trained": 25},
        {"commitment_id": quarterly, "period": "2026-Q1", "revision": 2, "people_trained": 45},
    ]  # fmt: skip
    path = tmp_path / "reports.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))

    summary = stack.json("progress", "send", str(path), key=key)

    assert (summary["sent"], summary["errors"], len(summary["event_ids"])) == (4, [], 4)

    def applied(cid: str) -> dict[str, tuple[int, int]]:
        result = stack.run("progress", "show", cid, "-o", "json", key=key)
        periods = json.loads(result.stdout)["periods"] if result.exit_code == 0 else []
        return {p["period"]: (p["revision"], p["people_trained"]) for p in periods}

    want = {"2026-Q1": (2, 45), "2026-Q2": (1, 25)}
    # (a report that reaches monitoring before the pledge's event waits, parked, for it)
    _until(lambda: applied(quarterly) == want, timeout=90)
    _until(lambda: applied(monthly) == {"2026-03": (1, 7)}, timeout=90)
    shown = stack.json("progress", "show", monthly, key=key)["periods"][0]
    assert shown["investment_eur"] == 1500.5
    rejected = stack.json("progress", "rejections", key=key)["items"]
    assert rejected == []


def test_a_parked_report_is_in_the_waiting_list_of_the_partner_and_the_secretariat(
    stack: Stack,
) -> None:
    partner = enrolled_partner(stack, "Carpathian Data School", "RO")
    token = stack.run("token", key=partner["api_key"]).stdout.strip()
    assert stack.monitoring is not None
    # Monitoring knows the partner (it hears of it over Kafka) once it knows its commitment.
    real = pledged(stack, partner["api_key"])
    _until(lambda: stack.run("progress", "show", real, key=partner["api_key"]).exit_code == 0)
    # A partner system that bypasses the CLI's check sends a report for a mistyped id.
    event_id = str(uuid.uuid4())
    report = {"event_id": event_id, "event_type": "ProgressReported", "schema_version": 1,
              "occurred_at": "2026-10-05T09:30:00Z", "partner_id": partner["partner_id"],
              "commitment_id": "c-mistyped1", "period": "2026-Q3", "revision": 1,
              "people_trained": 42}  # fmt: skip
    _until(lambda: httpx.post(f"{stack.monitoring.url}/progress", json=report,
           headers={"Authorization": f"Bearer {token}"}).status_code == 202)  # fmt: skip

    def listed(key: str) -> list[dict[str, Any]]:
        page = stack.json("progress", "waiting", key=key)
        return [w for w in page["items"] if w["event_id"] == event_id]

    mine = _until(lambda: listed(partner["api_key"]))
    assert mine[0]["commitment_id"] == "c-mistyped1"
    assert mine[0]["awaiting"] == "commitment" and mine[0]["period"] == "2026-Q3"
    assert mine[0]["expires_at"] > mine[0]["parked_at"]
    assert listed(DEV_ADMIN_API_KEY)[0]["partner_id"] == partner["partner_id"]

    piped = stack.run("progress", "waiting", key=partner["api_key"])
    rows = list(csv.DictReader(io.StringIO(piped.stdout), dialect="excel-tab"))
    assert {"event_id": event_id, "commitment_id": "c-mistyped1"}.items() <= next(
        r for r in rows if r["event_id"] == event_id
    ).items()


def test_a_revision_that_leaves_figures_out_says_what_it_clears_or_keeps_them(
    stack: Stack, tmp_path: Path
) -> None:
    partner = enrolled_partner(stack, "Baltic Cloud Institute", "LV")
    key, cid = partner["api_key"], pledged(stack, partner["api_key"])
    first = tmp_path / "first.csv"
    first.write_text(
        "commitment_id;period;people_trained;investment_eur;people_reached\r\n"
        f"{cid};2026-Q2;100;150.000,50;4.000\r\n"
    )
    sent = stack.run("progress", "import", str(first), "--via", "http", key=key)
    assert sent.exit_code == 0, sent.output
    _until(lambda: stack.json("progress", "show", cid, key=key)["periods"])
    stored = stack.json("progress", "show", cid, key=key)["periods"][0]
    assert (stored["investment_eur"], stored["people_reached"]) == (150000.5, 4000)

    second = tmp_path / "second.csv"
    second.write_text(f"commitment_id,period,revision,people_trained\n{cid},2026-Q2,2,120\n")
    dry = stack.run("progress", "import", str(second), "--dry-run", key=key)
    assert dry.exit_code == 0, dry.output
    said = " ".join(dry.stderr.split())
    assert f"line 2: this revision of {cid} 2026-Q2 leaves out, and so clears, the stored" in said
    assert "investment_eur 150,000.5" in said and "people_reached 4,000" in said

    kept = stack.run("progress", "import", str(second), "--keep-unset", "--via", "http", "-o",
                     "json", key=key)  # fmt: skip
    assert kept.exit_code == 0, kept.output
    assert json.loads(kept.stdout)["kept"][0]["figures"] == {
        "investment_eur": 150000.5, "people_reached": 4000,
    }  # fmt: skip
    now = _until(lambda: [p for p in stack.json("progress", "show", cid, key=key)["periods"]
                          if p["revision"] == 2])[0]  # fmt: skip
    assert (now["people_trained"], now["investment_eur"], now["people_reached"]) == (
        120, 150000.5, 4000,
    )  # fmt: skip


def test_the_services_refusals_are_said_in_the_flags_words(stack: Stack, tmp_path: Path) -> None:
    registration = tmp_path / "acme.json"
    registration.write_text(json.dumps({
        "legal_name": "Acme Cloud Europe SE", "organisation_type": "company",
        "hq_country": "DE", "contact_name": "Eva Weber", "contact_email": "not-an-email",
        "accept_charter": True,
    }))  # fmt: skip
    result = stack.run("register", "--file", str(registration), "--hq-country", "el", key=None)
    assert result.exit_code == 1
    assert "--hq-country: 'el' is not a country code of the EU-27 or IS, LI, NO" in " ".join(
        result.stderr.split()
    )
    assert "Greece is GR" in result.stderr

    result = stack.run("register", "--file", str(registration), key=None)
    assert result.exit_code == 1
    err = " ".join(result.stderr.split())
    assert f"contact_email in {registration}: value is not a valid email address" in err
    assert "Value error" not in err and "Input should be" not in err
    assert err.count("contact_email") == 1  # each problem once

    partner = enrolled_partner(stack, "Adriatic Skills Hub", "HR")
    result = stack.run(
        "commitments", "pledge", "--title", "Cloud skills", "--principle", "lifelong_learning",
        "--action-type", "upskilling", "--specialisation", "clouds", "--level", "advanced",
        "--country", "HR", "--target", "3,000", "--start-date", "2026-01-01",
        "--deadline", "31/12/2027", "--cadence", "quarterly", key=partner["api_key"],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "--deadline: '31/12/2027' is not a date YYYY-MM-DD (e.g. 2026-12-31)" in result.stderr

    result = stack.run(
        "commitments", "pledge", "--title", "Cloud skills", "--principle", "lifelong_learning",
        "--action-type", "upskilling", "--specialisation", "clouds", "--level", "advanced",
        "--country", "HR", "--target", "3,000", "--start-date", "2026-01-01",
        "--deadline", "2027-12-31", "--cadence", "quarterly", key=partner["api_key"],
    )  # fmt: skip
    assert result.exit_code == 1
    err = " ".join(result.stderr.split())
    assert "422 invalid: 1 problem(s); nothing was changed:" in err
    assert (
        "--specialisation (value 1): must be one of: basic_digital_literacy, cybersecurity" in err
    )
    assert "Input should be" not in err
