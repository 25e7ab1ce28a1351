"""`pactctl progress send`: a JSON Lines file of reports, checked line by line (as monitoring
reads a report) before anything is sent."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest

from pactctl import api
from pactctl.progress_jsonl import check_progress_jsonl

from .test_commands import PARTNER_KEY, FakePlatform, run

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
ID = "8d0c4a9e-2f7b-4a58-9f0e-3c1d2b4a5e6f"
GOOD = (
    "\ufeff"  # a byte order mark, as some editors write
    '{"partner_id": "p-1", "commitment_id": "c-7b1d3e5f", "period": "2026-Q2", '
    '"people_trained": 120, "by_country": {"DE": 70, "FR": 50}, "investment_eur": 1.5e5}\n'
    "\n"
    f'{{"event_id": "{ID}", "commitment_id": "c-1a2b3c4d", "period": "2026-09", '
    '"revision": 2, "people_trained": 15, "occurred_at": "2026-10-01T08:00:00+02:00"}\n'
)


def problems(text: str, **kw: object) -> list[tuple[int, str, str]]:
    checked = check_progress_jsonl(text, today=TODAY, **kw)  # type: ignore[arg-type]
    return [(e.line, e.field, e.rule) for e in checked.errors]


def test_each_line_is_a_report_with_what_it_left_out_filled_in() -> None:
    checked = check_progress_jsonl(
        GOOD,
        partner_id="p-1",
        today=TODAY,
        clock=lambda: NOW,
        new_id=lambda: uuid.UUID("00000000-0000-4000-8000-000000000001"),
    )
    assert checked.ok, checked.errors
    assert [r.line for r in checked.rows] == [1, 3]
    first, second = (r.report.to_jsonable() for r in checked.rows)
    assert first["event_id"] == "00000000-0000-4000-8000-000000000001"
    assert (first["occurred_at"], first["partner_id"]) == ("2026-11-26T09:30:00Z", "p-1")
    assert (first["by_country"], first["investment_eur"]) == ({"DE": 70, "FR": 50}, 150000.0)
    assert (second["event_id"], second["partner_id"], second["revision"]) == (ID, "p-1", 2)
    assert second["occurred_at"] == "2026-10-01T06:00:00Z"


def test_every_bad_line_is_named_with_its_field_and_rule() -> None:
    line = '{"partner_id": "p-1", "commitment_id": "c-1", "period": "2026-Q2", '
    bad = "\n".join(
        (
            line + '"people_trained": 10}',  # 1: good
            "not json",  # 2
            "[1, 2]",  # 3
            line + '"people_trained": 10, "people_trained": 1000}',  # 4
            line + '"people_trained": 10, "by_country": {"DE": 5, "DE": 5}}',  # 5
            line + '"people_trained": 10, "investment_eur": -Infinity}',  # 6
            line + '"people_trained": 10, "investment_eur": 1e400}',  # 7
            line + '"people_trained": 1e2, "revision": 2}',  # 8
            line + '"people_trained": 10, "by_country": {"DE": 9}, "revision": 3}',  # 9
            line + '"people_trained": 10, "revision": 4, "evil": 1}',  # 10
            line.replace("2026-Q2", "2027-Q1") + '"people_trained": 10}',  # 11
            line + '"people_trained": 11}',  # 12: line 1's commitment, period and revision
            line.replace("p-1", "p-2") + '"people_trained": 10, "revision": 5}',  # 13
            '{"commitment_id": "c-1", "period": "2026-Q3", "people_trained": 1, '
            '"occurred_at": "9999-12-31T23:59:59-01:00"}',  # 14
            line + '"people_trained": 10, "revision": 6, "producer": "' + "x" * 70_000 + '"}',
            f'{{"event_id": "{ID}", ' + line[1:] + '"people_trained": 1, "revision": 7}',  # 16
            f'{{"event_id": "{ID}", ' + line[1:] + '"people_trained": 1, "revision": 8}',  # 17
        )
    )
    assert problems(bad, partner_id="p-1") == [
        (2, "line", "not_json"),
        (3, "line", "not_an_object"),
        (4, "people_trained", "duplicate_key"),
        (5, "by_country.DE", "duplicate_key"),
        (6, "investment_eur", "not_finite"),
        (7, "investment_eur", "not_finite"),
        (8, "people_trained", "int_type"),
        (9, "report", "value_error"),
        (10, "evil", "extra_forbidden"),
        (11, "period", "period_in_future"),
        (12, "revision", "duplicate_row"),
        (13, "partner_id", "not_yours"),
        (14, "occurred_at", "value_error"),
        (15, "line", "too_large"),
        (17, "event_id", "duplicate_event_id"),
    ]
    said: dict[int, str] = {}
    for e in check_progress_jsonl(bad, partner_id="p-1", today=TODAY).errors:
        said[e.line] = said.get(e.line, "") + e.message
    assert (
        said[8]
        == "Input should be a valid integer: write 100 (a count has no decimal point or exponent)"
    )
    assert "by_country must sum to people_trained (10), but sums to 9" in said[9]
    assert "out of range once converted to UTC" in said[14]
    assert said[12].startswith("commitment c-1, period 2026-Q2, revision 1 is also on line 1")


def test_an_empty_file_has_no_reports() -> None:
    assert problems("\n  \n") == [(1, "file", "no_rows")]
    assert problems('{"commitment_id": "c-1"}') == [
        (1, "partner_id", "missing"),
        (1, "period", "missing"),
        (1, "people_trained", "missing"),
    ]


@pytest.fixture
def platform(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePlatform]:
    fake = FakePlatform()
    monkeypatch.setattr(api, "TRANSPORT", httpx.MockTransport(fake))
    yield fake


def test_a_bad_file_is_listed_by_line_and_nothing_is_sent(
    platform: FakePlatform, tmp_path: Path
) -> None:
    path = tmp_path / "reports.jsonl"
    path.write_text(
        '{"commitment_id": "c-7b1d3e5f", "period": "2025-Q2", "people_trained": 10}\n'
        '{"commitment_id": "c-7b1d3e5x", "period": "2025-Q3", "people_trained": 12}\n'
        '{"commitment_id": "c-7b1d3e5f", "period": "2025-Q4", "people_trained": 1,'
        ' "people_trained": 2}\n'
    )
    result = run("progress", "send", str(path), key=PARTNER_KEY)
    assert result.exit_code == 1
    err = " ".join(result.stderr.split())
    assert "1 problem(s) on 1 line(s); nothing was sent" in err
    assert "3 │ people_trained │ duplicate_key" in err
    # a file without such problems is then checked against the partner's commitments
    path.write_text("\n".join(path.read_text().splitlines()[:2]))
    result = run("progress", "send", str(path), key=PARTNER_KEY)
    assert result.exit_code == 1
    err = " ".join(result.stderr.split())
    assert "c-7b1d3e5x is not a commitment of partner p-3f2a9c1e" in err
    assert "did you mean c-7b1d3e5f?" in err
    assert "Kafka" not in result.output  # no send was tried (it would fail: nothing listens)


def test_a_dry_run_checks_without_key_or_network(platform: FakePlatform, tmp_path: Path) -> None:
    path = tmp_path / "reports.jsonl"
    path.write_text(GOOD.replace("2026-Q2", "2025-Q2").replace("2026-09", "2025-09")
                    .replace('"event_id"', '"partner_id": "p-1", "event_id"'))  # fmt: skip
    result = run("--json", "progress", "send", str(path), "--dry-run", key=None)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["valid_lines"], summary["sent"], summary["errors"]) == (2, 0, [])
    assert summary["event_ids"][1] == ID
    assert platform.requests == []
    quiet = run("progress", "send", str(path), "--dry-run", "--quiet", key=None)
    assert quiet.stdout.splitlines()[1] == ID
