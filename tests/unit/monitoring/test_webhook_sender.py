"""The HTTP webhook sender against a mock transport: what it sends (Standard Webhooks,
verified with the `standardwebhooks` package and each receiver's own secret), what counts as
success, what a failure records (never the receiver's words or addresses), and partners'
URLs that are not https in production, point into private networks or do not resolve."""

from __future__ import annotations

import httpx
import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from monitoring.notify.adapters import webhooks
from monitoring.notify.adapters.webhook_keys import WebhookKeys
from monitoring.notify.adapters.webhooks import HttpWebhookSender
from monitoring.notify.domain.delivery import SECRETARIAT, Destination, deliveries_for
from pact_common.webhook_secrets import new_secret, partner_secret

from .builders import NOW
from .test_delivery import notice

BODY = '{"event_type":"AlertFired","fingerprint":"ReportingOverdue:commitment:c-cloud"}'
DEPLOYMENT_KEY = "a deployment key of 32 characters or more"
SECRETARIAT_SECRET = new_secret()
KEYS = WebhookKeys(DEPLOYMENT_KEY, (SECRETARIAT_SECRET,))


def to(url: str, *versions: int) -> Destination:
    return Destination(url, versions or (1,))


async def test_each_receiver_can_verify_with_its_own_secret_and_no_other() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    sender = HttpWebhookSender(KEYS, transport=httpx.MockTransport(answer))
    acme = deliveries_for(notice(), BODY, ["partner:p-acme"], NOW)[0]
    sent = await sender.send(to("https://hooks.acme.example/pact", 3), acme)
    await sender.send(to("https://hooks.acme.example/pact", 4, 3), acme)
    secretariat = deliveries_for(notice(), BODY, [SECRETARIAT], NOW)[0]
    await sender.send(Destination("https://pact.example/hook"), secretariat)
    await sender.close()
    assert (sent.ok, sent.status_code, sent.error) == (True, 204, None)
    request, both, theirs = seen
    assert request.content == BODY.encode()
    assert request.headers["webhook-id"] == acme.delivery_id
    assert request.headers["x-pact-event"] == "AlertFired"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["accept-encoding"] == "identity"
    v3, v4 = (partner_secret(DEPLOYMENT_KEY, "p-acme", v) for v in (3, 4))
    assert Webhook(v3).verify(request.content, dict(request.headers)) == {
        "event_type": "AlertFired",
        "fingerprint": "ReportingOverdue:commitment:c-cloud",
    }
    for wrong in (v4, partner_secret(DEPLOYMENT_KEY, "p-other", 3), SECRETARIAT_SECRET):
        with pytest.raises(WebhookVerificationError):
            Webhook(wrong).verify(request.content, dict(request.headers))
    for secret in (v3, v4):  # the overlap of a rotation: either secret verifies
        Webhook(secret).verify(both.content, dict(both.headers))
    assert len(both.headers["webhook-signature"].split(" ")) == 2
    Webhook(SECRETARIAT_SECRET).verify(theirs.content, dict(theirs.headers))
    with pytest.raises(WebhookVerificationError):
        Webhook(v3).verify(theirs.content, dict(theirs.headers))


async def test_the_timestamp_is_the_wall_clocks_whatever_the_services_clock() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    transport = httpx.MockTransport(answer)
    stale = HttpWebhookSender(KEYS, transport=transport, wall_clock=lambda: 1_000_000_000.0)
    d = deliveries_for(notice(), BODY, ["partner:p-acme"], NOW)[0]
    await stale.send(to("https://hooks.acme.example/pact"), d)
    await stale.close()
    assert seen[0].headers["webhook-timestamp"] == "1000000000"
    with pytest.raises(WebhookVerificationError, match="too old"):  # a replay, years later
        Webhook(partner_secret(DEPLOYMENT_KEY, "p-acme", 1)).verify(
            seen[0].content, dict(seen[0].headers)
        )


async def test_anything_but_2xx_and_no_answer_are_failures() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "down.example":
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(410, text="gone")

    sender = HttpWebhookSender(KEYS, transport=httpx.MockTransport(answer))
    d = deliveries_for(notice(), BODY, [SECRETARIAT], NOW)[0]
    gone = await sender.send(Destination("https://pact.example/hook"), d)
    down = await sender.send(Destination("https://down.example/hook"), d)
    await sender.close()
    assert (gone.ok, gone.status_code, gone.error) == (False, 410, "HTTP 410")
    assert (down.ok, down.status_code, down.error) == (False, None, "could not connect")


async def test_partners_webhooks_into_private_networks_are_refused_unless_allowed() -> None:
    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(200)

    transport = httpx.MockTransport(answer)
    strict = HttpWebhookSender(KEYS, private_networks=False, transport=transport)
    partner = deliveries_for(notice(), BODY, ["partner:p-acme"], NOW)[0]
    secretariat = deliveries_for(notice(), BODY, [SECRETARIAT], NOW)[0]
    refused = await strict.send(to("http://127.0.0.1:27017/"), partner)
    metadata = await strict.send(to("http://169.254.169.254/latest"), partner)
    not_http = await strict.send(to("file:///etc/passwd"), partner)
    trusted = await strict.send(Destination("http://10.0.0.5/hook"), secretariat)  # operators'
    await strict.close()
    production = HttpWebhookSender(KEYS, https_only=True, transport=transport)
    plain = await production.send(to("http://hooks.acme.example/pact"), partner)
    plain_secretariat = await production.send(Destination("http://10.0.0.5/hook"), secretariat)
    await production.close()
    assert plain.error == plain_secretariat.error == "refused: webhook_url is not https"
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

    transport = httpx.MockTransport(answer)
    strict = HttpWebhookSender(KEYS, private_networks=False, transport=transport)
    partner = deliveries_for(notice(), BODY, ["partner:p-acme"], NOW)[0]
    sent = await strict.send(to("https://hooks.acme.example:8443/pact?x=1"), partner)
    private = await strict.send(to("https://rebound.example/pact"), partner)
    unknown = await strict.send(to("https://nowhere.example/pact"), partner)
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
