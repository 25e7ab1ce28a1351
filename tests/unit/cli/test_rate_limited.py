"""pactctl waits out a 429 as its Retry-After says, a few times, then reports it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pactctl import api

URLS = {"registry": "http://registry", "commitments": "http://c", "monitoring": "http://m"}


def _limited(after: str) -> httpx.Response:
    error = {"code": "rate_limited", "message": "too many requests", "field": None}
    return httpx.Response(429, json={"error": error}, headers={"Retry-After": after})


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    waits: list[float] = []
    monkeypatch.setattr(api, "SLEEP", waits.append)
    yield waits


def _platform(monkeypatch: pytest.MonkeyPatch, answers: list[httpx.Response]) -> api.Platform:
    queue = iter(answers)
    monkeypatch.setattr(api, "TRANSPORT", httpx.MockTransport(lambda _: next(queue)))
    return api.Platform(URLS)


def test_a_rate_limited_request_is_asked_again_after_retry_after(
    monkeypatch: pytest.MonkeyPatch, slept: list[float]
) -> None:
    ok = httpx.Response(200, json={"items": []})
    platform = _platform(monkeypatch, [_limited("2"), _limited("1"), ok])
    assert platform.call("registry", "GET", "/partnerships", auth=False) == {"items": []}
    assert slept == [2.0, 1.0]


def test_a_rate_limit_that_persists_or_asks_too_long_a_wait_is_reported(
    monkeypatch: pytest.MonkeyPatch, slept: list[float]
) -> None:
    platform = _platform(monkeypatch, [_limited("1")] * (api.RATE_LIMITED_RETRIES + 1))
    with pytest.raises(api.ApiError) as refused:
        platform.call("registry", "GET", "/partnerships", auth=False)
    assert (refused.value.status, refused.value.code) == (429, "rate_limited")
    assert slept == [1.0] * api.RATE_LIMITED_RETRIES
    slept.clear()
    platform = _platform(monkeypatch, [_limited("3600")])
    with pytest.raises(api.ApiError, match="too many requests"):
        platform.call("registry", "GET", "/partnerships", auth=False)
    assert slept == []
