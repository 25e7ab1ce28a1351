"""Sends a delivery to a webhook over HTTP as the Standard Webhooks specification says: the
alert event as JSON, with `webhook-id` (the delivery id, stable across attempts: deduplicate
on it), `webhook-timestamp` (the attempt's, in Unix seconds of the wall clock, whatever the
service's clock) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of id.timestamp.body>`,
once per secret of the receiver valid now: two during a rotation's overlap). Receivers verify
with the `standardwebhooks` package and their own secret. `X-Pact-Event` names the event
(AlertFired or AlertResolved). Any 2xx answer is success; anything else (including no answer
within the timeout) is a failed attempt.

No receiver can hold the sender up or fill its memory: one deadline covers the whole attempt
(connect, send, answer), the answer is asked for uncompressed and at most `MAX_ANSWER_BYTES`
of it are read, raw, and then the connection is dropped. What a failed attempt records is
the status code or the kind of failure, never the receiver's words or addresses: partners
read it at GET /alerts/deliveries.

Partners choose their webhook URLs: unless private networks are allowed (development), a
partner's URL must resolve to public addresses only, so that a webhook cannot be pointed at
the platform's own network; the request then goes to the address that was checked (the Host
header and TLS name stay the URL's), so a second resolution cannot move it elsewhere, and a
name that does not resolve is refused. In production only https URLs are called."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from monitoring.notify.adapters.webhook_keys import WebhookKeys
from monitoring.notify.domain.delivery import Delivery, Destination, partner_of, signature
from monitoring.notify.service_layer.ports import Sent, WebhookSender

USER_AGENT = "pact-monitoring-webhooks/2.0"
ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER = (
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
)
EVENT_HEADER = "X-Pact-Event"


#: what is read of a receiver's answer, at most (it is not kept: only the status counts)
MAX_ANSWER_BYTES = 4096


def headers(keys: list[bytes], delivery: Delivery, body: bytes, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "Accept-Encoding": "identity",
        "User-Agent": USER_AGENT,
        ID_HEADER: delivery.delivery_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(keys, delivery.delivery_id, timestamp, body),
        EVENT_HEADER: delivery.event_type,
    }


async def resolve(host: str, port: int) -> list[str]:
    """The addresses a name resolves to (the system's resolver)."""
    found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(address[0]) for *_, address in found]


@dataclass(frozen=True)
class Checked:
    """A partner's URL, with the public address it resolved to."""

    url: httpx.URL
    address: str


async def checked_public(url: str) -> Checked | str:
    """The URL and the public address to call it at, or why it may not be called."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError):
        return "webhook_url is not a URL"
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return f"webhook_url {url} is not an http(s) URL"
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        addresses = [ipaddress.ip_address(a) for a in await resolve(parsed.host, port)]
    except (OSError, ValueError):
        return f"refused: {parsed.host} does not resolve"
    if not addresses or any(not ip.is_global for ip in addresses):
        return f"refused: {parsed.host} resolves to an address that is not public"
    return Checked(parsed, str(addresses[0]))


def _failure(exc: BaseException) -> str:
    """The kind of failure, without what the receiver or the network said."""
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return "could not connect"
    if isinstance(exc, httpx.HTTPError | httpx.InvalidURL):
        return f"HTTP error ({type(exc).__name__})"
    return f"failed ({type(exc).__name__})"


async def _read_some(response: httpx.Response) -> None:
    """Read at most MAX_ANSWER_BYTES of the answer, as sent (never inflated)."""
    if response.is_stream_consumed:  # an answer given whole (a test transport)
        return
    read = 0
    async for chunk in response.aiter_raw(MAX_ANSWER_BYTES):
        read += len(chunk)
        if read >= MAX_ANSWER_BYTES:
            return


class HttpWebhookSender(WebhookSender):
    def __init__(
        self,
        keys: WebhookKeys,
        timeout: float = 10.0,
        *,
        private_networks: bool = True,
        https_only: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._keys = keys
        self._timeout = timeout
        self._private_networks = private_networks
        self._https_only = https_only
        self._transport = transport
        self._wall_clock = wall_clock
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

    async def send(self, to: Destination, delivery: Delivery) -> Sent:
        url, body = to.url, delivery.body.encode()
        if self._https_only and not url.lower().startswith("https://"):
            return Sent(error="refused: webhook_url is not https")
        keys = self._keys.of(delivery.receiver, to)
        sent_headers = headers(keys, delivery, body, int(self._wall_clock()))
        target: httpx.URL | str = url
        extensions: dict[str, str] = {}
        if not self._private_networks and partner_of(delivery.receiver) is not None:
            checked = await checked_public(url)
            if isinstance(checked, str):
                return Sent(error=checked)
            target = checked.url.copy_with(host=checked.address)
            sent_headers["Host"] = checked.url.netloc.decode("ascii")
            extensions["sni_hostname"] = checked.url.host
        try:
            async with asyncio.timeout(self._timeout):
                request = self._http().build_request(
                    "POST", target, content=body, headers=sent_headers, extensions=extensions
                )
                response = await self._http().send(request, stream=True)
                try:
                    await _read_some(response)
                finally:
                    await response.aclose()
        except (TimeoutError, httpx.HTTPError, httpx.InvalidURL) as exc:
            return Sent(error=_failure(exc))
        if 200 <= response.status_code < 300:
            return Sent(response.status_code)
        return Sent(response.status_code, f"HTTP {response.status_code}")

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
