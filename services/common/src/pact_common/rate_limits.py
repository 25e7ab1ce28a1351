"""Rate limits on every HTTP API, installed by pact_common.runtime in each service.

A request with a valid token counts against its principal (the token's subject), any other
against its client address; each may make so many requests in a moving window (`limits`),
and one over gets 429 `rate_limited` with Retry-After, in the platform's error shape. What
probes and scrapers call (/health, /ready, /metrics; never published outside the internal
network) is not counted. Counts are kept in this process's memory, so they hold per instance:
behind a proxy that spreads requests over N instances, a client may make up to N times as
many.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Literal

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from prometheus_client import Counter
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from .auth import TokenVerifier
from .errors import DomainError
from .http import OPERATIONS, error_body

#: Paths whose requests count against no limit: probes and scrapers must always get through.
UNCOUNTED = OPERATIONS


def too_many_requests() -> dict[int | str, dict[str, Any]]:
    """The 429 every limited route may answer, for its OpenAPI document (a fresh copy for
    each router: the document's builders may change what they are given)."""
    return {
        429: {
            "description": "Too many requests from this principal or client address (rate_limited)",
            "headers": {
                "Retry-After": {
                    "description": "Seconds until the request would be taken",
                    "schema": {"type": "integer", "minimum": 1},
                }
            },
        }
    }


REFUSED = Counter(
    "pact_http_rate_limited_total",
    "Requests refused with 429, by what they counted against",
    ["service", "by"],
)

Counted = Literal["principal", "address"]


def parse_limits(text: str) -> list[RateLimitItem]:
    """`limits` notation, several separated by ';': "1200/minute", "20/second;600/minute"."""
    try:
        items = parse_many(text)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a rate limit such as 1200/minute: {exc}") from None
    if not items:
        raise ValueError(f"{text!r} names no rate limit")
    return items


@dataclass(frozen=True)
class Refusal:
    limit: RateLimitItem
    retry_after: int


class RateLimiter:
    """Counts each key's requests against its limits in a moving window, in memory."""

    def __init__(self, per_principal: str, per_address: str) -> None:
        self.limits: dict[Counted, list[RateLimitItem]] = {
            "principal": parse_limits(per_principal),
            "address": parse_limits(per_address),
        }
        self._window = MovingWindowRateLimiter(MemoryStorage())

    async def hit(self, by: Counted, key: str) -> Refusal | None:
        """Count one request of `key`; the limit it is over, if any (then it is not counted
        against the later limits, and an over-limit request extends no window)."""
        for limit in self.limits[by]:
            if not await self._window.hit(limit, by, key):
                stats = await self._window.get_window_stats(limit, by, key)
                return Refusal(limit, max(1, math.ceil(stats.reset_time - time.time())))
        return None


class RateLimit:
    """ASGI middleware: the limits of a RateLimiter on every HTTP request but UNCOUNTED."""

    def __init__(
        self, app: ASGIApp, limiter: RateLimiter, verifier: TokenVerifier, service: str
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.verifier = verifier
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNCOUNTED:
            await self.app(scope, receive, send)
            return
        subject = self._subject(scope)
        by: Counted = "principal" if subject is not None else "address"
        key = subject if subject is not None else _client_address(scope)
        refusal = await self.limiter.hit(by, key)
        if refusal is None:
            await self.app(scope, receive, send)
            return
        REFUSED.labels(self.service, by).inc()
        whose = "this principal" if by == "principal" else "this client address"
        message = (
            f"too many requests from {whose}: at most {refusal.limit}; "
            f"try again in {refusal.retry_after} s"
        )
        response = JSONResponse(
            error_body("rate_limited", message),
            status_code=429,
            headers={"Retry-After": str(refusal.retry_after)},
        )
        await response(scope, receive, send)

    def _subject(self, scope: Scope) -> str | None:
        """The subject of the request's token if it is valid (an invalid one counts against
        the address, as no token does; the route refuses it)."""
        scheme, _, token = Headers(scope=scope).get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        try:
            return self.verifier.verify(token.strip()).subject
        except DomainError:
            return None


def _client_address(scope: Scope) -> str:
    """The client's address: the peer's, or what the trusted proxy forwarded (uvicorn's
    proxy headers, `<SERVICE>_FORWARDED_ALLOW_IPS`)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"
