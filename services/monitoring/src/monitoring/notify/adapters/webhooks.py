"""Sends a delivery to a webhook over HTTP: the alert event as JSON, signed with HMAC-SHA256.

Headers: `X-Pact-Signature: sha256=<hex HMAC of the body with MONITORING_WEBHOOK_SECRET>`,
`X-Pact-Delivery` (stable across attempts: deduplicate on it), `X-Pact-Event` (AlertFired or
AlertResolved) and `X-Pact-Attempt`. Any 2xx answer is success; anything else (including no
answer within the timeout) is a failed attempt.

Partners choose their webhook URLs: unless private networks are allowed (development), a
partner's URL must resolve to public addresses only, so that a webhook cannot be pointed at
the platform's own network. (The check resolves the name before the request does; an egress
proxy is the complete answer to DNS rebinding.)"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import httpx

from monitoring.notify.domain.delivery import Delivery, partner_of, signature
from monitoring.notify.service_layer.ports import Sent, WebhookSender

USER_AGENT = "pact-monitoring-webhooks/1.0"
SIGNATURE_HEADER, DELIVERY_HEADER, EVENT_HEADER, ATTEMPT_HEADER = (
    "X-Pact-Signature",
    "X-Pact-Delivery",
    "X-Pact-Event",
    "X-Pact-Attempt",
)


def headers(secret: bytes, delivery: Delivery, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: signature(secret, body),
        DELIVERY_HEADER: delivery.delivery_id,
        EVENT_HEADER: delivery.event_type,
        ATTEMPT_HEADER: str(delivery.attempts + 1),
    }


async def not_public(url: str) -> str | None:
    """Why a URL may not be called from the platform (None: it may)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        return f"webhook_url is not a URL: {exc}"
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return f"webhook_url {url} is not an http(s) URL"
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        found = await asyncio.get_running_loop().getaddrinfo(
            parsed.host, port, type=socket.SOCK_STREAM
        )
    except OSError:
        return None  # the request fails on its own, with the resolver's error
    for *_, address in found:
        ip = ipaddress.ip_address(address[0])
        if not ip.is_global:
            return f"refused: {parsed.host} resolves to {ip}, which is not a public address"
    return None


class HttpWebhookSender(WebhookSender):
    def __init__(
        self,
        secret: str,
        timeout: float = 10.0,
        *,
        private_networks: bool = True,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._secret = secret.encode()
        self._timeout = timeout
        self._private_networks = private_networks
        self._transport = transport
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=self._timeout,
                follow_redirects=False,
                trust_env=False,
                transport=self._transport,
            )
        return self._client

    async def send(self, url: str, delivery: Delivery) -> Sent:
        checked = not self._private_networks and partner_of(delivery.receiver) is not None
        if checked and (refusal := await not_public(url)) is not None:
            return Sent(error=refusal)
        body = delivery.body.encode()
        try:
            response = await self._http().post(
                url, content=body, headers=headers(self._secret, delivery, body)
            )
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return Sent(error=f"{type(exc).__name__}: {exc}".rstrip(": "))
        if 200 <= response.status_code < 300:
            return Sent(response.status_code)
        excerpt = response.text[:200].strip()
        error = f"HTTP {response.status_code}" + (f": {excerpt}" if excerpt else "")
        return Sent(response.status_code, error)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
