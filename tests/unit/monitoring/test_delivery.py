"""Webhook deliveries: one per (alert episode, transition, receiver), the retry schedule,
where each attempt goes and how the body is signed."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta

import pytest

from monitoring.core.domain.errors import DeliveryNotRetryable
from monitoring.notify.domain.delivery import (
    SECRETARIAT,
    DeliveryStatus,
    Destination,
    Notice,
    RetryPolicy,
    Skip,
    Transition,
    Wait,
    WebhookContact,
    deliveries_for,
    destination,
    receivers_of,
    signature,
)

from .builders import NOW


def notice(partner_id: str | None = "p-acme", **changes: object) -> Notice:
    values: dict[str, object] = {
        "event_id": "e-1",
        "event_type": "AlertFired",
        "fingerprint": "ReportingOverdue:commitment:c-cloud",
        "episode": 1,
        "transition": Transition.FIRED,
        "partner_id": partner_id,
        "partnership_id": "digital-ecosystem",
    }
    return Notice(**(values | changes))  # type: ignore[arg-type]


def test_the_default_schedule_doubles_from_30_seconds_to_at_most_6_hours() -> None:
    waits = [w.total_seconds() for w in RetryPolicy().schedule()]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 21600]


def test_an_alert_goes_to_its_partner_and_to_the_secretariat_when_it_has_a_webhook() -> None:
    assert receivers_of(notice(), secretariat=True) == ["partner:p-acme", SECRETARIAT]
    assert receivers_of(notice(), secretariat=False) == ["partner:p-acme"]
    assert receivers_of(notice(partner_id=None), secretariat=True) == [SECRETARIAT]


def test_the_key_and_delivery_id_are_the_same_for_the_same_alert_transition_and_receiver() -> None:
    first = deliveries_for(notice(), "{}", ["partner:p-acme"], NOW)[0]
    again = deliveries_for(notice(event_id="e-2"), "{}", ["partner:p-acme"], NOW)[0]
    resolved = deliveries_for(
        notice(transition=Transition.RESOLVED), "{}", ["partner:p-acme"], NOW
    )[0]
    assert first.key == "ReportingOverdue:commitment:c-cloud|1|fired|partner:p-acme"
    assert (again.key, again.delivery_id) == (first.key, first.delivery_id)
    assert resolved.delivery_id != first.delivery_id
    assert (first.status, first.next_attempt_at, first.attempts) == (DeliveryStatus.PENDING, NOW, 0)


def test_failed_attempts_wait_longer_each_time_then_give_up() -> None:
    policy = RetryPolicy(max_attempts=3, base=timedelta(seconds=10))
    d = deliveries_for(notice(), "{}", [SECRETARIAT], NOW)[0]
    d = d.failed(NOW, "HTTP 503", policy, 503)
    assert (d.status, d.attempts, d.next_attempt_at) == (
        DeliveryStatus.FAILED,
        1,
        NOW + timedelta(seconds=10),
    )
    d = d.failed(NOW, "HTTP 503", policy, 503)
    assert d.next_attempt_at == NOW + timedelta(seconds=20)
    d = d.failed(NOW, "ConnectError: refused", policy)
    assert (d.gave_up, d.next_attempt_at, d.last_error, d.last_status_code) == (
        True,
        None,
        "ConnectError: refused",
        None,
    )
    again = d.requeued(NOW)
    assert (again.status, again.attempts, again.next_attempt_at) == (
        DeliveryStatus.PENDING,
        0,
        NOW,
    )
    done = again.succeeded(NOW, 204)
    assert (done.status, done.attempts, done.delivered_at, done.next_attempt_at) == (
        DeliveryStatus.DELIVERED,
        1,
        NOW,
        None,
    )
    with pytest.raises(DeliveryNotRetryable):
        done.requeued(NOW)


def test_each_attempt_looks_up_where_to_deliver_and_which_secrets_sign() -> None:
    hook = "https://hooks.acme.example/pact"
    acme = WebhookContact("p-acme", 2, hook, "active", secret_version=3)
    assert destination("partner:p-acme", acme, None, NOW) == Destination(hook, (3,))
    assert isinstance(destination("partner:p-acme", None, None, NOW), Wait)
    no_hook = WebhookContact("p-acme", 2, None, "active")
    assert destination("partner:p-acme", no_hook, None, NOW) == Skip(
        "partner p-acme has no webhook_url"
    )
    gone = WebhookContact("p-acme", 5, hook, "withdrawn")
    assert destination("partner:p-acme", gone, None, NOW) == Skip("partner p-acme is withdrawn")
    secretariat = "https://pact.example/hook"
    assert destination(SECRETARIAT, None, secretariat, NOW) == Destination(secretariat)
    assert isinstance(destination(SECRETARIAT, None, None, NOW), Skip)
    # a rotation: the previous version signs too until the overlap ends
    rotated = WebhookContact("p-acme", 6, hook, "active", 4, NOW + timedelta(hours=1))
    assert rotated.secret_versions(NOW) == (4, 3)
    assert rotated.secret_versions(NOW + timedelta(hours=1)) == (4,)
    assert WebhookContact("p-acme", 6, hook, "active").secret_versions(NOW) == (0,)


def test_the_signature_is_standard_webhooks_one_per_key() -> None:
    body = b'{"event_type":"AlertFired"}'
    signed = b"msg-1.1760000000." + body

    def one(key: bytes) -> str:
        return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()

    assert signature([b"k" * 32], "msg-1", 1760000000, body) == one(b"k" * 32)
    two = signature([b"k" * 32, b"j" * 32], "msg-1", 1760000000, body)
    assert two == f"{one(b'k' * 32)} {one(b'j' * 32)}"
