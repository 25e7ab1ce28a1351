"""The HTTP webhook sender against a mock transport: what it sends, what counts as success,
what a failure records (never the receiver's words or addresses), and partners' URLs that
point into private networks or do not resolve."""

from __future__ import annotations

import httpx
import pytest

from monitoring.notify.adapters import webhooks
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
    assert (gone.ok, gone.status_code, gone.error) == (False, 410, "HTTP 410")
    assert (down.ok, down.status_code, down.error) == (False, None, "could not connect")


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
    assert refused.error == "refused: 127.0.0.1 resolves to an address that is not public"
    assert metadata.error == "refused: 169.254.169.254 resolves to an address that is not public"
    assert not_http.error == "webhook_url file:///etc/passwd is not an http(s) URL"
    assert trusted.ok and calls == ["http://10.0.0.5/hook"]


async def test_the_request_goes_to_the_address_that_was_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Resolved once: the request is sent to the public address that passed the check, with
    the URL's name as Host and TLS name, so a second resolution cannot move it."""
    answers = {"hooks.acme.example": ["93.184.216.34"], "rebound.example": ["10.1.2.3"]}

    async def resolve(host: str, port: int) -> list[str]:
        if host not in answers:
            raise OSError("Name or service not known")
        return answers[host]

    monkeypatch.setattr(webhooks, "resolve", resolve)
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    strict = HttpWebhookSender("s", private_networks=False, transport=httpx.MockTransport(answer))
    partner = deliveries_for(notice(), BODY, ["partner:p-acme"], NOW)[0]
    sent = await strict.send("https://hooks.acme.example:8443/pact?x=1", partner)
    private = await strict.send("https://rebound.example/pact", partner)
    unknown = await strict.send("https://nowhere.example/pact", partner)
    await strict.close()
    assert sent.ok, sent
    (request,) = seen
    assert (str(request.url), request.headers["host"]) == (
        "https://93.184.216.34:8443/pact?x=1",
        "hooks.acme.example:8443",
    )
    assert request.extensions["sni_hostname"] == "hooks.acme.example"
    assert private.error == "refused: rebound.example resolves to an address that is not public"
    assert unknown.error == "refused: nowhere.example does not resolve"
