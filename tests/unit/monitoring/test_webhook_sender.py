"""The HTTP webhook sender against a mock transport: what it sends, what counts as success,
and partners' URLs that point into private networks."""

from __future__ import annotations

import httpx

from monitoring.notify.adapters.webhooks import HttpWebhookSender
from monitoring.notify.domain.delivery import SECRETARIAT, deliveries_for, signature_matches

from .builders import NOW
from .test_delivery import notice

BODY = '{"event_type":"AlertFired","fingerprint":"ReportingOverdue:commitment:c-cloud"}'


async def test_the_body_is_sent_signed_with_the_delivery_and_event_headers() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    sender = HttpWebhookSender("s3cret", transport=httpx.MockTransport(answer))
    d = deliveries_for(notice(), BODY, ["partner:p-acme"], NOW)[0]
    sent = await sender.send("https://hooks.acme.example/pact", d)
    await sender.close()
    assert (sent.ok, sent.status_code, sent.error) == (True, 204, None)
    (request,) = seen
    assert request.content == BODY.encode()
    assert signature_matches(b"s3cret", request.content, request.headers["x-pact-signature"])
    assert request.headers["x-pact-delivery"] == d.delivery_id
    assert request.headers["x-pact-event"] == "AlertFired"
    assert request.headers["x-pact-attempt"] == "1"
    assert request.headers["content-type"] == "application/json"


async def test_anything_but_2xx_and_no_answer_are_failures() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "down.example":
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(410, text="gone")

    sender = HttpWebhookSender("s", transport=httpx.MockTransport(answer))
    d = deliveries_for(notice(), BODY, [SECRETARIAT], NOW)[0]
    gone = await sender.send("https://pact.example/hook", d)
    down = await sender.send("https://down.example/hook", d)
    await sender.close()
    assert (gone.ok, gone.status_code, gone.error) == (False, 410, "HTTP 410: gone")
    assert (down.ok, down.status_code, down.error) == (
        False,
        None,
        "ConnectError: connection refused",
    )


async def test_partners_webhooks_into_private_networks_are_refused_unless_allowed() -> None:
    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(200)

    strict = HttpWebhookSender("s", private_networks=False, transport=httpx.MockTransport(answer))
    partner = deliveries_for(notice(), BODY, ["partner:p-acme"], NOW)[0]
    secretariat = deliveries_for(notice(), BODY, [SECRETARIAT], NOW)[0]
    refused = await strict.send("http://127.0.0.1:27017/", partner)
    metadata = await strict.send("http://169.254.169.254/latest", partner)
    not_http = await strict.send("file:///etc/passwd", partner)
    trusted = await strict.send("http://10.0.0.5/hook", secretariat)  # the operators' own
    await strict.close()
    assert (
        refused.error == "refused: 127.0.0.1 resolves to 127.0.0.1, which is not a public address"
    )
    assert metadata.error is not None and "169.254.169.254" in metadata.error
    assert not_http.error == "webhook_url file:///etc/passwd is not an http(s) URL"
    assert trusted.ok and calls == ["http://10.0.0.5/hook"]
