"""pactctl silences: the requests it makes (list, create with matchers and an end, expire)
and what it prints, against a fake monitoring (httpx.MockTransport)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from pactctl import api

from .test_commands import run

SILENCE = {
    "silence_id": "s-1", "matchers": {"rule": "CommitmentAtRisk", "commitment_id": "c-1"},
    "starts_at": "2026-11-26T09:00:00Z", "ends_at": "2026-11-26T11:00:00Z", "state": "active",
    "author": "secretariat", "comment": "LMS export fixed next week",
    "created_at": "2026-11-26T09:00:00Z", "expired_by": None,
}  # fmt: skip


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[httpx.Request]]:
    requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        path = request.url.path
        if path == "/auth/token":
            return httpx.Response(200, json={"access_token": "t", "token_type": "bearer",
                                             "expires_in": 900, "role": "secretariat"})  # fmt: skip
        if path == "/silences" and request.method == "GET":
            return httpx.Response(200, json={"items": [SILENCE]})
        if path == "/silences":
            return httpx.Response(201, json=SILENCE)
        return httpx.Response(200, json=SILENCE | {"state": "expired"})

    monkeypatch.setattr(api, "TRANSPORT", httpx.MockTransport(answer))
    yield requests


def test_create_sends_the_matchers_given_and_an_end_from_a_duration(
    sent: list[httpx.Request],
) -> None:
    result = run("silences", "create", "--rule", "CommitmentAtRisk", "--commitment", "c-1",
                 "--ends", "2h", "-c", "LMS export fixed next week")  # fmt: skip
    assert result.exit_code == 0, result.output
    body = json.loads(sent[-1].content)
    assert body["matchers"] == {"rule": "CommitmentAtRisk", "commitment_id": "c-1"}
    ends = datetime.fromisoformat(body["ends_at"]) - datetime.now(UTC)
    assert timedelta(minutes=119) < ends <= timedelta(hours=2)
    assert "Silence s-1 (active)" in result.stdout


def test_list_and_expire(sent: list[httpx.Request]) -> None:
    listed = run("silences", "list", "--state", "active", "-o", "table")
    assert listed.exit_code == 0, listed.output
    assert str(sent[-1].url).endswith("/silences?state=active")
    assert "rule=CommitmentAtRisk, commitment_id=c-1" in listed.stdout
    expired = run("silences", "expire", "s-1")
    assert expired.exit_code == 0, expired.output
    assert (sent[-1].method, sent[-1].url.path) == ("POST", "/silences/s-1/expire")


def test_an_end_that_is_no_duration_nor_date_is_refused(sent: list[httpx.Request]) -> None:
    result = run("silences", "create", "--ends", "soon", "-c", "x")
    assert result.exit_code != 0
    assert not [r for r in sent if r.url.path == "/silences"]
