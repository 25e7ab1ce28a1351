"""pactctl as a newcomer and a script meet it: every list prints JSON, CSV, tab-separated
lines and ids; options go anywhere; every --help has examples; bad input is explained in the
words the user typed. Against a fake platform (httpx.MockTransport)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from pactctl import api, provisioning
from pactctl.api import Platform
from pactctl.catalogue import members
from pactctl.main import app

from .test_commands import ADMIN_KEY, PARTNER_KEY, FakePlatform, error, run

ALERT = {
    "fingerprint": "3f9a1c2b7d4e", "episode": 1, "status": "firing", "rule": "MilestoneMissed",
    "severity": "warning", "subject_type": "commitment", "subject_id": "c-7b1d3e5f",
    "partner_id": "p-3f2a9c1e", "partnership_id": "digital-ecosystem", "metric": "people_trained",
    "expected": 8000, "actual": 5120, "due_date": "2026-06-30", "message": "Milestone missed",
    "fired_at": "2026-07-01T00:00:00Z", "resolved_at": None, "acknowledgement": None,
}  # fmt: skip
DELIVERY = {
    "delivery_id": "d-5e6f7a8b", "event_id": "e-1", "event_type": "AlertFired",
    "fingerprint": "3f9a1c2b7d4e", "episode": 1, "transition": "fired",
    "receiver": "partner:p-3f2a9c1e", "status": "failed", "attempts": 12,
    "next_attempt_at": None, "gave_up": True, "last_attempt_at": "2026-07-02T00:00:00Z",
    "last_error": "connection refused", "last_status_code": None, "delivered_at": None,
    "created_at": "2026-07-01T00:00:00Z",
}  # fmt: skip
ANNUAL_CSV = "year,scope,id,name,people_trained\n2025,partnership,digital-ecosystem,Digital,61234\n"


class MorePlatform(FakePlatform):
    """The fake platform, with the alert board's actions, deliveries and the CSV report."""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        method, path = request.method, request.url.path
        if (method, path) == ("POST", "/alerts/3f9a1c2b7d4e/acknowledge"):
            self.requests.append(request)
            note = json.loads(request.content)["note"]
            return httpx.Response(200, json=ALERT | {"acknowledgement": {"note": note}})
        if (method, path) == ("GET", "/alerts/deliveries"):
            self.requests.append(request)
            return httpx.Response(200, json={"total": 1, "offset": 0, "limit": 50,
                                             "items": [DELIVERY]})  # fmt: skip
        if (method, path) == ("POST", "/alerts/deliveries/d-5e6f7a8b/retry"):
            self.requests.append(request)
            return httpx.Response(200, json=DELIVERY | {"status": "pending", "attempts": 0})
        if (method, path) == ("GET", "/reports/annual") and request.url.params.get("format"):
            self.requests.append(request)
            return httpx.Response(200, text=ANNUAL_CSV, headers={"content-type": "text/csv"})
        if (method, path) == ("GET", "/alerts"):
            self.requests.append(request)
            return httpx.Response(200, json={"total": 1, "items": [ALERT]})
        return super().__call__(request)


@pytest.fixture
def platform(monkeypatch: pytest.MonkeyPatch) -> MorePlatform:
    fake = MorePlatform()
    monkeypatch.setattr(api, "TRANSPORT", httpx.MockTransport(fake))
    return fake


#: every list command, with the id its rows carry in the fake platform's answers
LISTS = [
    (("partners", "list"), ADMIN_KEY, "id", "p-3f2a9c1e"),
    (("commitments", "list"), PARTNER_KEY, "id", "c-7b1d3e5f"),
    (("alerts", "list"), PARTNER_KEY, "fingerprint", "3f9a1c2b7d4e"),
    (("alerts", "deliveries"), ADMIN_KEY, "delivery_id", "d-5e6f7a8b"),
    (("progress", "rejections"), PARTNER_KEY, "event_id", "e-1"),
    (("progress", "waiting"), PARTNER_KEY, "event_id", "8d0c4a9e-2f7b-4a58-9f0e-3c1d2b4a5e6f"),
]


@pytest.mark.parametrize(("command", "key", "id_column", "first_id"), LISTS)
def test_every_list_prints_json_tsv_csv_and_ids(
    platform: MorePlatform, command: tuple[str, ...], key: str, id_column: str, first_id: str
) -> None:
    as_json = run(*command, "-o", "json", key=key)
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout)["items"][0][id_column] == first_id
    assert json.loads(run("--json", *command, key=key).stdout) == json.loads(as_json.stdout)

    piped = run(*command, key=key)  # CliRunner is not a terminal: tab-separated
    rows = list(csv.DictReader(io.StringIO(piped.stdout), dialect="excel-tab"))
    assert rows[0][id_column] == first_id
    assert "│" not in piped.stdout and "┏" not in piped.stdout

    as_csv = run(*command, "-o", "csv", key=key)
    assert next(csv.DictReader(io.StringIO(as_csv.stdout)))[id_column] == first_id

    assert run(*command, "--quiet", key=key).stdout.startswith(f"{first_id}\n")


def test_wide_adds_columns_and_ids_never_wrap_in_a_narrow_table(platform: MorePlatform) -> None:
    narrow = run("partners", "list", "-o", "table", COLUMNS="50")
    assert narrow.exit_code == 0
    assert any("p-3f2a9c1e" in line for line in narrow.stdout.splitlines())  # whole, one line
    assert "registered_at" not in run("partners", "list").stdout
    assert "registered_at" in run("partners", "list", "-o", "wide").stdout


def test_each_run_prints_at_the_width_it_is_given(platform: MorePlatform) -> None:
    """COLUMNS is read when a command prints, not once when the CLI is imported: commands
    run one after another in one process (as here) each get their own width."""
    widths = {}
    for columns in ("60", "200", "60"):
        table = run("partners", "list", "-o", "table", COLUMNS=columns).stdout
        widths[columns] = max(len(line) for line in table.splitlines())
        print(f"COLUMNS={columns}: widest line {widths[columns]}")
    assert widths["60"] <= 60 < widths["200"] <= 200


def test_global_options_go_anywhere_on_the_line(platform: FakePlatform) -> None:
    before = run("--json", "partners", "list", "--status", "active")
    after = run("partners", "list", "--status", "active", "--json")
    middle = run("partners", "--output=json", "list")
    assert after.exit_code == 0, after.output
    assert json.loads(before.stdout) == json.loads(after.stdout) == json.loads(middle.stdout)


def test_version_and_exit_codes_are_told() -> None:
    assert run("--version").stdout.startswith("pactctl ")
    root = run("--help").stdout
    assert "Exit codes" in root and "2 a usage error" in " ".join(root.split())


def _leaves(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            out += _leaves(command, (*prefix, name))
        else:
            out.append((*prefix, name))
    return out


def test_every_command_help_ends_with_examples_of_itself() -> None:
    import typer.main

    leaves = _leaves(typer.main.get_command(app))
    assert len(leaves) >= 20
    for path in leaves:
        result = run(*path, "--help")
        assert result.exit_code == 0, path
        text = result.stdout
        assert "Examples" in text, path
        assert f"$ pactctl {' '.join(path)}" in text, path
        assert "<bool>" not in text, path


def test_an_el_country_code_is_explained_with_the_flag_typed(platform: FakePlatform) -> None:
    result = run(
        "register", "--legal-name", "Hellenic Code Academy", "--organisation-type",
        "training_provider", "--hq", "el", "--contact-name", "Eleni P.",
        "--contact-email", "e@hca.example", "--accept-charter", key=None,
    )  # fmt: skip
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    assert "--hq-country: 'el' is not a country code of the EU-27 or IS, LI, NO" in said
    assert "Greece is GR in ISO 3166-1; EL is the EU's statistical code" in said
    assert platform.requests == []


def test_a_file_key_is_named_as_the_file_has_it(platform: FakePlatform, tmp_path: Path) -> None:
    path = tmp_path / "acme.json"
    path.write_text(json.dumps({"legal_name": "Acme", "countries": ["DE", "XX"]}))
    result = run("register", "--file", str(path), key=None)
    assert f"missing: --organisation-type (or organisation_type in {path})" in " ".join(
        result.stderr.split()
    )
    full = {"legal_name": "Acme", "organisation_type": "company", "hq_country": "de",
            "countries": ["DE", "XX"], "contact_name": "A", "contact_email": "a@acme.example",
            "accept_charter": True}  # fmt: skip
    path.write_text(json.dumps(full))
    result = run("register", "--file", str(path), key=None)
    assert f"countries in {path}: 'XX' is not a country code" in " ".join(result.stderr.split())


def test_a_refusal_lists_each_problem_once_in_the_flags_words(
    platform: FakePlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    countries = "'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR' or 'NO'"
    problems = [
        {"field": "start_date", "rule": "date_from_datetime_parsing",
         "message": "Input should be a valid date or datetime, invalid character in year"},
        {"field": "countries.1", "rule": "literal_error",
         "message": f"Input should be {countries}"},
        {"field": "title", "rule": "value_error", "message": "Value error, title is too vague"},
    ]  # fmt: skip
    message = "; ".join(f"{p['field']}: {p['message']}" for p in problems)

    def refuse(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/commitments":
            body = {"error": {"code": "invalid", "message": message, "field": "start_date",
                              "problems": problems}}  # fmt: skip
            return httpx.Response(422, json=body)
        return platform(request)

    monkeypatch.setattr(api, "TRANSPORT", httpx.MockTransport(refuse))
    result = run(
        "commitments", "pledge", "--title", "Skills", "--principle", "lifelong_learning",
        "--action-type", "upskilling", "--specialisation", "cloud", "--level", "basic",
        "--country", "DE,FR", "--target", "3,000", "--start-date", "2026-01-01",
        "--deadline", "2027-12-31", "--cadence", "quarterly", key=PARTNER_KEY,
    )  # fmt: skip
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines == [
        "Error: 422 invalid: 3 problem(s); nothing was changed:",
        "  - --start-date: must be a date YYYY-MM-DD (e.g. 2026-12-31)",
        "  - --country (value 2): must be a country code of the EU-27 or IS, LI, NO (ISO "
        "3166-1 alpha-2, e.g. DE; Greece is GR, not EL), in capitals",
        "  - --title: title is too vague",
    ]


def test_thousands_separators_are_read_in_flags_and_refused_when_ambiguous(
    platform: FakePlatform,
) -> None:
    args = ["commitments", "pledge", "--title", "Reskill 3,000 network technicians",
            "--principle", "lifelong_learning", "--action-type", "reskilling",
            "--specialisation", "networks_5g", "--level", "advanced", "--country", "PL,RO",
            "--start-date", "2026-01-01", "--deadline", "2026-12-31",
            "--milestone", "2026-06-30:1,000", "--cadence", "quarterly"]  # fmt: skip
    assert run(*args, "--target", "3,000", key=PARTNER_KEY).exit_code == 0
    sent = platform.bodies("/commitments")[0]
    assert (sent["target_value"], sent["milestones"][0]["value"]) == (3000.0, 1000.0)

    result = run(*args, "--target", "3,5", key=PARTNER_KEY)
    assert result.exit_code == 1
    assert "--target: '3,5': a comma is a thousands separator here (3,000)" in result.stderr
    missing = run("commitments", "pledge", "--title", "x", key=PARTNER_KEY)
    assert "missing: --principle, --action-type, --specialisation" in missing.stderr
    assert len(platform.bodies("/commitments")) == 1


def test_a_revision_that_leaves_figures_out_says_what_it_clears(
    platform: FakePlatform, tmp_path: Path
) -> None:
    path = tmp_path / "fix.csv"
    path.write_text("commitment_id,period,revision,people_trained\nc-7b1d3e5f,2026-Q3,2,85\n")
    result = run("progress", "import", str(path), "--dry-run", key=PARTNER_KEY)
    assert result.exit_code == 0, result.output
    said = " ".join(result.stderr.split())
    assert (
        "Warning: line 2: this revision of c-7b1d3e5f 2026-Q3 leaves out, and so clears, the "
        "stored programmes_developed 1, investment_eur 50,000.0, people_reached 900 "
        "(--keep-unset carries them over)" in said
    )
    kept = run("progress", "import", str(path), "--dry-run", "--keep-unset", "-o", "json",
               key=PARTNER_KEY)  # fmt: skip
    report = json.loads(kept.stdout)["reports"][0]
    assert (report["people_trained"], report["people_reached"], report["investment_eur"]) == (
        85, 900, 50000.0,
    )  # fmt: skip


def test_an_unknown_commitment_id_is_refused_by_line(
    platform: FakePlatform, tmp_path: Path
) -> None:
    path = tmp_path / "q3.csv"
    path.write_text("commitment_id,period,people_trained\nc-7b1d3e5g,2026-Q3,5\n")
    result = run("progress", "import", str(path), "--via", "http", key=PARTNER_KEY)
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    assert "unknown_commitment" in said and "did you mean c-7b1d3e5f?" in said
    assert platform.bodies("/progress") == []


def test_alerts_are_acknowledged_and_deliveries_retried(platform: MorePlatform) -> None:
    done = run("alerts", "acknowledge", "3f9a1c2b7d4e", "--note", "Catch-up plan agreed",
               key=PARTNER_KEY)  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "Acknowledged MilestoneMissed on c-7b1d3e5f" in done.stdout
    assert platform.bodies("/alerts/3f9a1c2b7d4e/acknowledge") == [{"note": "Catch-up plan agreed"}]
    failed = run("alerts", "deliveries", "--status", "failed", "-o", "json")
    assert json.loads(failed.stdout)["items"][0]["gave_up"] is True
    assert ("GET", "http://127.0.0.1:8003/alerts/deliveries?status=failed&limit=50&offset=0") in (
        platform.calls()
    )
    retried = run("alerts", "retry", "d-5e6f7a8b")
    assert "Delivery d-5e6f7a8b to partner:p-3f2a9c1e is pending again." in retried.stdout


def test_the_annual_report_is_saved_as_csv_or_json(platform: MorePlatform, tmp_path: Path) -> None:
    as_csv = tmp_path / "annual.csv"
    assert run("report", "annual", "--year", "2025", "--save", str(as_csv)).exit_code == 0
    assert as_csv.read_text() == ANNUAL_CSV
    as_json = tmp_path / "annual.json"
    assert run("report", "annual", "--year", "2025", "--save", str(as_json)).exit_code == 0
    assert json.loads(as_json.read_text())["people_trained"] == 61234
    piped = run("report", "annual", "--year", "2025")
    assert piped.stdout.splitlines()[0].split("\t")[:4] == ["year", "scope", "id", "name"]


def test_simulate_never_takes_over_a_partner_it_did_not_register() -> None:
    member = members(1, seed=1)[0]
    org = member.organisation
    rotated: list[str] = []

    def registry(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/auth/token":
            return httpx.Response(200, json={"access_token": "t", "role": "secretariat",
                                             "partner_id": None, "expires_in": 900})  # fmt: skip
        if request.url.path == "/partners" and request.method == "POST":
            return error(409, "duplicate_partner", "already registered", "legal_name")
        if request.url.path == "/partners":
            return httpx.Response(200, json={"total": 1, "items": [{
                "id": "p-real", "legal_name": org.legal_name, "hq_country": org.hq_country,
                "status": "active", "contact_email": "hr@the-real-one.example",
            }]})  # fmt: skip
        rotated.append(request.url.path)
        return httpx.Response(200, json={"api_key": "pk_new"})

    admin = Platform({"registry": "http://registry"}, "admin")
    admin._http = httpx.Client(transport=httpx.MockTransport(registry))
    with pytest.raises(api.ApiError, match="was not set up by pactctl simulate"):
        provisioning.enrol(admin, member)
    assert rotated == []


def test_simulate_takes_over_its_own_partner_with_the_admin_key_beside_the_token() -> None:
    """A new API key and signing key for a partner simulate registered: both changes carry
    the secretariat's key in X-Api-Key, as the registry asks."""
    member = members(1, seed=1)[0]
    org = member.organisation
    stepped_up: dict[str, str | None] = {}

    def registry(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/auth/token":
            return httpx.Response(200, json={"access_token": "t", "role": "secretariat",
                                             "partner_id": None, "expires_in": 900})  # fmt: skip
        if request.url.path == "/partners" and request.method == "POST":
            return error(409, "duplicate_partner", "already registered", "legal_name")
        if request.url.path == "/partners":
            return httpx.Response(200, json={"total": 1, "items": [{
                "id": "p-sim", "legal_name": org.legal_name, "hq_country": org.hq_country,
                "status": "active", "contact_email": org.registration()["contact_email"],
            }]})  # fmt: skip
        stepped_up[f"{request.method} {request.url.path}"] = request.headers.get("X-Api-Key")
        return httpx.Response(200, json={"api_key": "pk_new"})

    admin = Platform({"registry": "http://registry"}, "admin")
    admin._http = httpx.Client(transport=httpx.MockTransport(registry))
    enrolled = provisioning.enrol(admin, member, sign=True)
    assert enrolled.api_key == "pk_new"
    assert stepped_up == {"POST /partners/p-sim/api-key": "admin", "PATCH /partners/p-sim": "admin"}


HOSTILE = ["=HYPERLINK(\"https://evil.example\",\"x\")", "+1-2", "-3+4", "@SUM(A1)", "\t=1+1",
           "\r=1+1"]  # fmt: skip


@pytest.mark.parametrize("name", HOSTILE)
def test_csv_never_hands_a_spreadsheet_a_formula(
    platform: MorePlatform, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    from . import test_commands

    monkeypatch.setitem(test_commands.PARTNER, "legal_name", name)
    monkeypatch.setitem(test_commands.PARTNER, "countries", ["=DE", "FR"])
    as_csv = run("partners", "list", "-o", "csv", key=ADMIN_KEY)
    assert as_csv.exit_code == 0, as_csv.output
    row = next(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert row["legal_name"].startswith("'") and row["legal_name"].lstrip("'\t\r")[0] in "=+-@"
    assert row["countries"] == "'=DE,FR"
    assert row["id"] == "p-3f2a9c1e"  # only what begins like a formula changes


def test_numbers_stay_numbers_in_csv() -> None:
    from pactctl.output import delimited

    text = delimited(["delta", "name"], [{"delta": -5, "name": "Acme -5"}], "excel")
    assert text == "delta,name\n-5,Acme -5\n"
