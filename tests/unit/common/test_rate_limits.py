"""Rate limits: a valid token's subject is counted, otherwise the client address; /health,
/ready and /metrics are not; the refusal is 429 rate_limited with Retry-After."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from pact_common.auth import Principal, Role, TokenIssuer, TokenVerifier
from pact_common.dev_keys import DEV_JWT_PRIVATE_KEY, DEV_JWT_PUBLIC_KEY
from pact_common.rate_limits import RateLimit, RateLimiter, parse_limits

ISSUER = TokenIssuer(DEV_JWT_PRIVATE_KEY, "iss", "aud", timedelta(minutes=5))


def _app(per_principal: str, per_address: str) -> FastAPI:
    app = FastAPI()

    @app.get("/things")
    async def things() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(
        RateLimit,
        limiter=RateLimiter(per_principal, per_address),
        verifier=TokenVerifier(DEV_JWT_PUBLIC_KEY, "iss", "aud"),
        service="test",
    )
    return app


def _client(app: FastAPI, address: str = "192.0.2.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 4711))
    return httpx.AsyncClient(transport=transport, base_url="http://svc")


def _bearer(subject: str) -> dict[str, str]:
    token = ISSUER.issue(Principal(subject, Role.SECRETARIAT))
    return {"Authorization": f"Bearer {token}"}


async def _statuses(client: httpx.AsyncClient, n: int, **kwargs: Any) -> list[int]:
    return [(await client.get("/things", **kwargs)).status_code for _ in range(n)]


async def test_each_principal_has_its_own_budget_and_the_refusal_says_when_to_come_back() -> None:
    async with _client(_app("3/minute", "100/minute")) as client:
        assert await _statuses(client, 3, headers=_bearer("alice")) == [200] * 3
        refused = await client.get("/things", headers=_bearer("alice"))
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        error = refused.json()["error"]
        assert error["code"] == "rate_limited"
        assert "this principal" in error["message"] and "3 per 1 minute" in error["message"]
        assert await _statuses(client, 3, headers=_bearer("bob")) == [200] * 3
        assert await _statuses(client, 1) == [200]  # the address's budget is another one


async def test_requests_without_a_valid_token_count_against_the_client_address() -> None:
    app = _app("100/minute", "2/minute")
    async with _client(app) as client, _client(app, "198.51.100.9") as elsewhere:
        forged = {"Authorization": "Bearer not-a-token"}
        assert await _statuses(client, 1) + await _statuses(client, 1, headers=forged) == [200, 200]
        assert await _statuses(client, 2, headers=forged) == [429, 429]
        assert await _statuses(client, 1) == [429]
        assert await _statuses(elsewhere, 2) == [200, 200]
        assert await _statuses(client, 1, headers=_bearer("alice")) == [200]


async def test_health_is_never_counted() -> None:
    async with _client(_app("1/minute", "1/minute")) as client:
        assert [(await client.get("/health")).status_code for _ in range(20)] == [200] * 20
        assert await _statuses(client, 2) == [200, 429]


async def test_several_limits_each_hold() -> None:
    async with _client(_app("3/minute;5/hour", "100/minute")) as client:
        assert await _statuses(client, 4, headers=_bearer("alice")) == [200] * 3 + [429]
    async with _client(_app("5/minute;2/hour", "100/minute")) as client:
        assert await _statuses(client, 3, headers=_bearer("alice")) == [200, 200, 429]


def test_a_rate_limit_is_written_in_limits_notation() -> None:
    assert [str(item) for item in parse_limits("20/second;1200/minute")] == [
        "20 per 1 second",
        "1200 per 1 minute",
    ]
    for bad in ("", "lots", "12 per fortnight"):
        with pytest.raises(ValueError, match="rate limit"):
            parse_limits(bad)
