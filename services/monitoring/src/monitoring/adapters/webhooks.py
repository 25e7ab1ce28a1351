"""Sends a delivery to a webhook over HTTP: the alert event as JSON, signed with HMAC-SHA256.

Headers: `X-Pact-Signature: sha256=<hex HMAC of the body with MONITORING_WEBHOOK_SECRET>`,
`X-Pact-Delivery` (stable across attempts: deduplicate on it), `X-Pact-Event` (AlertFired or
AlertResolved) and `X-Pact-Attempt`. Any 2xx answer is success; anything else (including no
answer within the timeout) is a failed attempt."""

from __future__ import annotations

import httpx

from ..domain.delivery import Delivery, signature
from ..service_layer.alert_ports import Sent, WebhookSender

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


class HttpWebhookSender(WebhookSender):
    def __init__(self, secret: str, timeout: float = 10.0) -> None:
        self._secret = secret.encode()
        self._timeout = timeout
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=self._timeout, follow_redirects=False, trust_env=False
            )
        return self._client

    async def send(self, url: str, delivery: Delivery) -> Sent:
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
