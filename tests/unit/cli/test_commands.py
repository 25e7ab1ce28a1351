"""pactctl's argument handling and the requests it makes, against a fake platform that
answers like the three services' HTTP APIs (httpx.MockTransport)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner, Result

from pact_contracts.signing import SIGNATURE_HEADER, new_key_pair, sign, verify
from pactctl import api, import_checks
from pactctl.main import app

from .samples import BAD_CSV, GOOD_CSV

ADMIN_KEY, PARTNER_KEY = "admin-key-for-tests", "pk_partner-key-for-tests"
PARTNER = {
    "id": "p-3f2a9c1e", "legal_name": "Nimbus Cloud Europe SE", "organisation_type": "company",
    "size_class": "large", "hq_country": "DE", "countries": ["DE", "FR"], "status": "active",
    "partnerships": ["digital-ecosystem"], "website": None,
    "registered_at": "2026-11-26T09:00:00Z", "version": 2,
}  # fmt: skip


COMMITMENT = {
    "id": "c-7b1d3e5f", "partner_id": "p-3f2a9c1e", "partnership_id": "digital-ecosystem",
    "title": "Cloud skills for 20,000 people", "metric": "people_trained",
    "target_value": 20000.0, "start_date": "2025-01-01", "deadline": "2027-12-31",
    "cadence": "quarterly", "countries": ["DE", "FR"], "levels": ["advanced"],
    "specialisations": ["cloud"], "status": "active", "version": 1,
}  # fmt: skip
WAITING = {
    "event_id": "8d0c4a9e-2f7b-4a58-9f0e-3c1d2b4a5e6f", "partner_id": "p-3f2a9c1e",
    "commitment_id": "c-7b1d3e5x", "period": "2026-Q3", "revision": 1,
    "awaiting": "commitment", "parked_at": "2026-11-26T09:31:00Z",
    "expires_at": "2026-12-03T09:31:00Z", "people_trained": 90,
}  # fmt: skip


def error(status: int, code: str, message: str, field: str | None = None) -> httpx.Response:
    return httpx.Response(
        status, json={"error": {"code": code, "message": message, "field": field}}
    )


class FakePlatform:
    """Answers like the registry, commitments and monitoring; records every request."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        #: how many more reads of a commitment's progress monitoring answers as one that
        #: has not heard of the partner yet (403 unknown_partner)
        self.not_heard_of = 0

    def calls(self) -> list[tuple[str, str]]:
        return [(r.method, str(r.url)) for r in self.requests]

    def bodies(self, path: str) -> list[Any]:
        return [json.loads(r.content) for r in self.requests if r.url.path == path]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        method, path = request.method, request.url.path
        if (method, path) == ("POST", "/auth/token"):
            key = json.loads(request.content)["api_key"]
            if key not in (ADMIN_KEY, PARTNER_KEY):
                return error(401, "unauthorized", "unknown API key", "api_key")
            admin = key == ADMIN_KEY
            return httpx.Response(200, json={
                "access_token": "tok-admin" if admin else "tok-partner", "token_type": "bearer",
                "expires_in": 900, "role": "secretariat" if admin else "partner",
                "partner_id": None if admin else "p-3f2a9c1e",
            })  # fmt: skip
        if path.startswith("/partners/p-missing"):
            return error(404, "partner_not_found", "no partner p-missing", "partner_id")
        if (method, path) == ("POST", "/partners"):
            return httpx.Response(
                201, json={"partner_id": "p-new", "status": "pending", "api_key": "pk_shown_once"}
            )
        if (method, path) == ("GET", "/partners"):
            return httpx.Response(
                200, json={"total": 1, "offset": 0, "limit": 50, "items": [PARTNER]}
            )
        if method == "POST" and path.startswith("/partners/p-3f2a9c1e/"):
            action = path.rsplit("/", 1)[1]
            status = {"approve": "active", "suspend": "suspended", "withdraw": "withdrawn"}[action]
            return httpx.Response(200, json=PARTNER | {"status": status})
        if (method, path) == ("POST", "/commitments"):
            return httpx.Response(
                201, json={"commitment_id": "c-new", "version": 1, "status": "active"}
            )
        if (method, path) == ("GET", "/alerts"):
            return httpx.Response(200, json={"total": 1, "items": [{
                "rule": "MilestoneMissed", "severity": "warning", "subject_id": "c-7b1d3e5f",
                "partner_id": "p-3f2a9c1e", "metric": "people_trained", "expected": 8000,
                "actual": 5120, "due_date": "2026-06-30",
                "message": "Milestone of 8,000 people trained due 2026-06-30 missed",
            }]})  # fmt: skip
        if (method, path) == ("GET", "/reports/annual"):
            return httpx.Response(200, json={
                "year": 2025, "people_trained": 61234, "investment_eur": 1250000.0,
                "by_principle": {"lifelong_learning": {"commitments": 4, "on_track": 3}},
                "partners": [{"partner_id": "p-3f2a9c1e", "people_trained": 5000}],
            })  # fmt: skip
        if (method, path) == ("GET", "/progress/rejections"):
            return httpx.Response(200, json={"next": None, "items": [{
                "rejection_id": "r-1", "reason": "period_out_of_range", "field": "period",
                "message": "period 2031-Q1 is after the commitment's deadline 2027-12-31",
                "rejected_at": "2026-11-26T09:31:00Z", "event_id": "e-1",
                "partner_id": "p-3f2a9c1e", "commitment_id": "c-1", "period": "2031-Q1",
                "payload": "{}", "payload_encoding": "utf-8",
            }]})  # fmt: skip
        if (method, path) == ("GET", "/commitments"):
            return httpx.Response(200, json={"total": 2, "offset": 0, "limit": 200, "items": [
                COMMITMENT, COMMITMENT | {"id": "c-1a2b3c4d", "cadence": "monthly"},
            ]})  # fmt: skip
        if path.startswith("/progress/commitments/") and self.not_heard_of > 0:
            self.not_heard_of -= 1
            return error(403, "unknown_partner", "partner p-3f2a9c1e is not known", "token")
        if (method, path) == ("GET", "/progress/commitments/c-7b1d3e5f"):
            return httpx.Response(200, json={"commitment_id": "c-7b1d3e5f", "periods": [
                {"period": "2026-Q3", "revision": 1, "value": 80, "cumulative": 80,
                 "people_trained": 80, "programmes_developed": 1, "investment_eur": 50000.0,
                 "people_reached": 900, "reported_at": "2026-10-02T09:00:00Z"},
            ]})  # fmt: skip
        if (method, path) == ("GET", "/progress/waiting"):
            return httpx.Response(200, json={"total": 1, "offset": 0, "limit": 100, "items": [
                WAITING]})  # fmt: skip
        if (method, path) == ("POST", "/progress"):
            event_id = json.loads(request.content)["event_id"]
            return httpx.Response(202, json={"event_id": event_id, "status": "accepted"})
        return httpx.Response(404, json={"detail": "Not Found"})  # FastAPI: no such route


@pytest.fixture
def platform(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePlatform]:
    fake = FakePlatform()
    monkeypatch.setattr(api, "TRANSPORT", httpx.MockTransport(fake))
    yield fake


def run(*args: str, key: str | None = ADMIN_KEY, **env: str) -> Result:
    environment: dict[str, str | None] = {
        "PACT_API_KEY": key, "PACT_TOPIC_NAMESPACE": None, "PACT_REGISTRY_URL": None,
        "PACT_COMMITMENTS_URL": None, "PACT_MONITORING_URL": None, "COLUMNS": "200",
        "PACT_KAFKA_BOOTSTRAP": "127.0.0.1:1",  # nothing listens: a send would fail loudly
    }  # fmt: skip
    return CliRunner().invoke(app, list(args), env=environment | env)


def test_help_lists_every_command() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("partners", "register", "token", "commitments", "alerts", "report",
                    "progress", "simulate"):  # fmt: skip
        assert command in result.stdout


def test_partners_list_exchanges_the_key_and_passes_the_filters(platform: FakePlatform) -> None:
    result = run("--json", "partners", "list", "--status", "active", "--country", "de")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["items"] == [PARTNER]
    assert platform.calls() == [
        ("POST", "http://127.0.0.1:8001/auth/token"),
        ("GET", "http://127.0.0.1:8001/partners?status=active&country=DE&limit=50&offset=0"),
    ]
    assert platform.bodies("/auth/token") == [{"api_key": ADMIN_KEY}]
    assert platform.requests[1].headers["Authorization"] == "Bearer tok-admin"


def test_partners_list_prints_a_table(platform: FakePlatform) -> None:
    result = run("partners", "list", "-o", "table")  # piped output is tab-separated
    assert result.exit_code == 0
    assert "Partners (1-1 of 1)" in result.stdout
    assert "Nimbus Cloud Europe SE" in result.stdout and "DE, FR" in result.stdout


def test_lifecycle_decisions_post_the_reason(platform: FakePlatform) -> None:
    result = run("partners", "suspend", "p-3f2a9c1e", "--reason", "Reports overdue")
    assert result.exit_code == 0
    assert "Nimbus Cloud Europe SE (p-3f2a9c1e) is now suspended" in result.stdout
    assert platform.bodies("/partners/p-3f2a9c1e/suspend") == [{"reason": "Reports overdue"}]
    assert run("partners", "approve", "p-3f2a9c1e").exit_code == 0
    assert platform.bodies("/partners/p-3f2a9c1e/approve") == [{}]


def test_withdrawing_sends_the_api_key_again_beside_the_token(platform: FakePlatform) -> None:
    """The registry takes a withdrawal only with the caller's current API key (X-Api-Key);
    a decision a token alone may make goes without it."""
    for key in (ADMIN_KEY, PARTNER_KEY):
        result = run("partners", "withdraw", "p-3f2a9c1e", "--reason", "Leaving", key=key)
        assert result.exit_code == 0, result.output
    withdrawals = [r for r in platform.requests if r.url.path.endswith("/withdraw")]
    assert [r.headers.get("X-Api-Key") for r in withdrawals] == [ADMIN_KEY, PARTNER_KEY]
    assert run("partners", "approve", "p-3f2a9c1e").exit_code == 0
    [approval] = [r for r in platform.requests if r.url.path.endswith("/approve")]
    assert "X-Api-Key" not in approval.headers


def test_suspending_without_a_reason_is_a_usage_error(platform: FakePlatform) -> None:
    result = run("partners", "suspend", "p-3f2a9c1e")
    assert result.exit_code == 2
    assert "Missing option '--reason'" in result.output
    assert platform.requests == []


def test_a_refusal_shows_status_code_message_and_field(platform: FakePlatform) -> None:
    result = run("partners", "approve", "p-missing")
    assert result.exit_code == 1
    assert "Error: 404 partner_not_found: no partner p-missing [partner_id]" in result.stderr


def test_without_an_api_key_the_cli_says_how_to_give_one(platform: FakePlatform) -> None:
    result = run("partners", "list", key=None)
    assert result.exit_code == 1
    assert "no API key: give --api-key or set PACT_API_KEY" in result.stderr
    assert platform.requests == []


def test_an_unreachable_service_is_named() -> None:
    result = run("partners", "list", PACT_REGISTRY_URL="http://127.0.0.1:1")
    assert result.exit_code == 1
    assert "cannot reach the registry service at http://127.0.0.1:1/auth/token" in result.stderr


def test_register_from_flags_needs_no_token(platform: FakePlatform) -> None:
    result = run(
        "register", "--legal-name", "CodeBridge Academy Ltd", "--type", "training_provider",
        "--hq", "ie", "--country", "IE,NL", "--country", "be", "--contact-name", "Siobhán Murphy",
        "--contact-email", "skills@codebridge.example", "--accept-charter", key=None,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Registered p-new (status pending)" in result.stdout
    assert "pk_shown_once" in result.stdout
    assert platform.calls() == [("POST", "http://127.0.0.1:8001/partners")]
    assert platform.bodies("/partners") == [{
        "legal_name": "CodeBridge Academy Ltd", "organisation_type": "training_provider",
        "hq_country": "IE", "countries": ["IE", "NL", "BE"], "contact_name": "Siobhán Murphy",
        "contact_email": "skills@codebridge.example",
        "principles": {"lifelong_learning": True, "skills_partnerships": True,
                       "skills_intelligence": True, "equal_opportunities": True},
    }]  # fmt: skip


def test_register_from_a_file_with_flags_overriding(platform: FakePlatform, tmp_path: Path) -> None:
    body = {"legal_name": "Old Name", "organisation_type": "university", "hq_country": "NL",
            "contact_name": "M. de Vries", "contact_email": "m@eurodata.example",
            "principles": {"lifelong_learning": True, "skills_partnerships": True,
                           "skills_intelligence": True, "equal_opportunities": True}}  # fmt: skip
    path = tmp_path / "registration.json"
    path.write_text(json.dumps(body))
    result = run("--json", "register", "--file", str(path), "--legal-name", "EuroData Alliance")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["api_key"] == "pk_shown_once"
    assert platform.bodies("/partners") == [body | {"legal_name": "EuroData Alliance"}]


def test_register_names_every_missing_flag(platform: FakePlatform) -> None:
    result = run("register", "--legal-name", "Foo")
    assert result.exit_code == 1
    assert (
        "missing: --organisation-type, --hq-country, --contact-name, --contact-email, "
        "--accept-charter" in result.stderr
    )
    assert platform.requests == []


def test_token_prints_the_token_alone_on_stdout(platform: FakePlatform) -> None:
    result = run("token", key=PARTNER_KEY)
    assert result.exit_code == 0
    assert result.stdout == "tok-partner\n"
    assert "role partner (p-3f2a9c1e), valid 900 s" in result.stderr


def test_pledge_builds_the_body_from_flags(platform: FakePlatform) -> None:
    result = run(
        "commitments", "pledge", "--title", "Cloud skills for 20,000 people", "--principle",
        "lifelong_learning", "--action-type", "upskilling", "--specialisation",
        "cloud,cybersecurity",
        "--level", "advanced", "--country", "de,fr", "--target", "20000", "--start", "2025-01-01",
        "--deadline", "2027-12-31", "--milestone", "2025-12-31:6000", "--milestone",
        "2026-12-31:13000", "--cadence", "quarterly", key=PARTNER_KEY,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Pledged c-new" in result.stdout
    assert platform.bodies("/commitments") == [{
        "partnership_id": "digital-ecosystem", "title": "Cloud skills for 20,000 people",
        "principle": "lifelong_learning", "action_type": "upskilling",
        "specialisations": ["cloud", "cybersecurity"], "levels": ["advanced"],
        "countries": ["DE", "FR"], "target_value": 20000.0, "start_date": "2025-01-01",
        "deadline": "2027-12-31", "cadence": "quarterly",
        "milestones": [{"due_date": "2025-12-31", "value": 6000.0},
                       {"due_date": "2026-12-31", "value": 13000.0}],
    }]  # fmt: skip
    assert platform.requests[-1].url.host == "127.0.0.1" and platform.requests[-1].url.port == 8002


def test_a_malformed_milestone_is_explained(platform: FakePlatform) -> None:
    result = run("commitments", "pledge", "--milestone", "end of 2026:500", key=PARTNER_KEY)
    assert result.exit_code == 1
    assert "write DATE:VALUE, e.g. 2026-12-31:8000" in result.stderr
    assert platform.bodies("/commitments") == []


def test_alerts_list_asks_for_firing_alerts_of_a_partner(platform: FakePlatform) -> None:
    result = run("alerts", "list", "--partner", "p-3f2a9c1e", "-o", "table")
    assert result.exit_code == 0, result.output
    assert platform.calls()[-1] == (
        "GET",
        "http://127.0.0.1:8003/alerts?status=firing&partner=p-3f2a9c1e&limit=50&offset=0",
    )
    assert "Alerts (firing: 1)" in result.stdout
    assert "Milestone of 8,000 people trained due 2026-06-30 missed" in result.stdout


def test_report_annual_asks_for_the_year_and_prints_its_tables(platform: FakePlatform) -> None:
    result = run("report", "annual", "--year", "2025", "-o", "table")
    assert result.exit_code == 0, result.output
    assert platform.calls()[-1] == ("GET", "http://127.0.0.1:8003/reports/annual?year=2025")
    assert "Annual report 2025" in result.stdout and "61,234" in result.stdout
    assert "lifelong_learning" in result.stdout and "p-3f2a9c1e" in result.stdout


def test_progress_import_of_a_bad_file_lists_every_problem_and_sends_nothing(
    platform: FakePlatform, tmp_path: Path
) -> None:
    path = tmp_path / "q3.csv"
    path.write_text(BAD_CSV)
    result = run("progress", "import", str(path), key=PARTNER_KEY)
    assert result.exit_code == 1
    assert "nothing was sent" in result.stderr
    assert "by_level_* sum to 110, but people_trained is 120" in result.stderr
    assert "│    9 │ by_country     │ duplicate_country" in result.stderr
    assert "Kafka" not in result.output  # no send was tried (it would fail: nothing listens)
    assert platform.bodies("/progress") == []


def test_progress_import_dry_run_checks_without_key_or_network(
    platform: FakePlatform, tmp_path: Path
) -> None:
    path = tmp_path / "q3.csv"
    path.write_text(GOOD_CSV)
    result = run("--json", "progress", "import", str(path), "--dry-run", key=None)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["valid_rows"], summary["sent"], summary["errors"]) == (3, 0, [])
    assert [r["period"] for r in summary["reports"]] == ["2026-Q2", "2026-Q3", "2026-09"]
    assert platform.requests == []


def test_progress_import_over_http_posts_each_report_as_the_keys_partner(
    platform: FakePlatform, tmp_path: Path
) -> None:
    path = tmp_path / "q3.csv"
    path.write_text(GOOD_CSV)
    result = run("progress", "import", str(path), "--via", "http", key=PARTNER_KEY)
    assert result.exit_code == 0, result.output
    assert "3 report(s) sent to http://127.0.0.1:8003/progress" in result.stdout
    posted = platform.bodies("/progress")
    assert [(r["commitment_id"], r["period"]) for r in posted] == [
        ("c-7b1d3e5f", "2026-Q2"), ("c-7b1d3e5f", "2026-Q3"), ("c-1a2b3c4d", "2026-09"),
    ]  # fmt: skip
    assert {r["partner_id"] for r in posted} == {"p-3f2a9c1e"}
    assert {r["producer"] for r in posted} == {"pactctl-import"}


def test_progress_import_waits_while_monitoring_has_not_heard_of_the_partner(
    platform: FakePlatform, tmp_path: Path
) -> None:
    path = tmp_path / "q3.csv"
    path.write_text(GOOD_CSV)
    platform.not_heard_of = 2  # as just after a pledge
    result = run("progress", "import", str(path), "--via", "http", key=PARTNER_KEY)
    asked = [c for c in platform.calls() if "/progress/commitments/" in c[1]]
    print(f"\nmonitoring asked {len(asked)} times for 2 commitments; exit {result.exit_code}")
    assert result.exit_code == 0, result.output
    assert len(asked) == 2 + 2 and len(platform.bodies("/progress")) == 3


def test_progress_import_says_so_when_monitoring_never_hears_of_the_partner(
    platform: FakePlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_checks, "WAIT_FOR_MONITORING", 0.5)
    path = tmp_path / "q3.csv"
    path.write_text(GOOD_CSV)
    platform.not_heard_of = 1_000
    result = run("progress", "import", str(path), "--via", "http", key=PARTNER_KEY)
    assert result.exit_code == 1 and "unknown_partner" in result.stderr, result.output
    assert platform.bodies("/progress") == []  # nothing sent


def test_the_secretariat_must_name_the_partner_it_reports_for(
    platform: FakePlatform, tmp_path: Path
) -> None:
    path = tmp_path / "q3.csv"
    path.write_text(GOOD_CSV)
    result = run("progress", "import", str(path), "--dry-run")
    assert result.exit_code == 1
    assert "the secretariat reports for a partner: give --partner" in result.stderr


def test_simulate_refuses_a_rate_of_zero() -> None:
    result = run("simulate", "--rate", "0")
    assert result.exit_code == 2
    assert "--rate" in result.output


def test_simulate_setting_up_partners_needs_the_secretariat(platform: FakePlatform) -> None:
    result = run("simulate", "--count", "1", key=PARTNER_KEY)
    assert result.exit_code == 1
    assert "needs the secretariat's admin key" in result.stderr
    assert ("POST", "http://127.0.0.1:8001/partners") not in platform.calls()


def test_simulate_from_a_file_of_commitments_not_begun_says_so(tmp_path: Path) -> None:
    path = tmp_path / "commitments.json"
    later = {"id": "c-1", "partner_id": "p-1", "countries": ["IE"], "levels": ["basic"],
             "start_date": "2099-01-01", "deadline": "2099-12-31", "target_value": 10}  # fmt: skip
    path.write_text(json.dumps({"items": [later]}))
    result = run("simulate", "--from-file", str(path), "--count", "1")
    assert result.exit_code == 1
    assert "no commitment has a reporting period that has begun by" in result.stderr


def test_signed_reports_carry_a_signature_the_public_key_verifies(
    platform: FakePlatform, tmp_path: Path
) -> None:
    private, public = new_key_pair()
    path = tmp_path / "q3.csv"
    path.write_text(GOOD_CSV)
    result = run("progress", "import", str(path), "--via", "http", key=PARTNER_KEY,
                 PACT_SIGNING_KEY=private)  # fmt: skip
    assert result.exit_code == 0, result.output
    posts = [r for r in platform.requests if r.url.path == "/progress"]
    assert len(posts) == 3
    for post in posts:
        assert verify(json.loads(post.content), post.headers[SIGNATURE_HEADER], public)


def test_a_malformed_signing_key_is_refused_before_anything_is_sent(
    platform: FakePlatform, tmp_path: Path
) -> None:
    path = tmp_path / "q3.csv"
    path.write_text(GOOD_CSV)
    result = run("progress", "import", str(path), "--signing-key", "not-a-key", key=PARTNER_KEY)
    assert result.exit_code == 1
    assert "the signing key must be an Ed25519 private key" in result.stderr
    assert platform.requests == []


def test_keygen_makes_a_pair_that_signs_and_verifies() -> None:
    keys = json.loads(run("--json", "keygen").stdout)
    assert verify({"a": 1}, sign({"a": 1}, keys["private_key"]), keys["public_key"])


def test_rejections_are_listed_for_the_partner(platform: FakePlatform) -> None:
    result = run("progress", "rejections", "--commitment", "c-1", key=PARTNER_KEY)
    assert result.exit_code == 0, result.output
    assert "period_out_of_range" in result.stdout and "2031-Q1" in result.stdout
    assert platform.calls()[-1] == (
        "GET", "http://127.0.0.1:8003/progress/rejections?commitment_id=c-1&limit=50",
    )  # fmt: skip


def test_an_endpoint_the_service_does_not_serve_is_named(platform: FakePlatform) -> None:
    result = run("progress", "show", "c-1", key=PARTNER_KEY)
    assert result.exit_code == 1
    assert (
        "404 no_such_endpoint: the monitoring service does not serve GET "
        "/progress/commitments/c-1" in result.stderr
    )
