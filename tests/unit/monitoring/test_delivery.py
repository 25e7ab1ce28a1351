"""Webhook deliveries: one per (alert episode, transition, receiver), the retry schedule,
where each attempt goes and how the body is signed."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import pytest

from monitoring.core.domain.errors import DeliveryNotRetryable
from monitoring.notify.domain.delivery import (
    SECRETARIAT,
    DeliveryStatus,
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
    signature_matches,
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


def test_each_attempt_looks_up_where_to_deliver() -> None:
    acme = WebhookContact("p-acme", 2, "https://hooks.acme.example/pact", "active")
    assert destination("partner:p-acme", acme, None) == "https://hooks.acme.example/pact"
    assert isinstance(destination("partner:p-acme", None, None), Wait)
    no_hook = WebhookContact("p-acme", 2, None, "active")
    assert destination("partner:p-acme", no_hook, None) == Skip("partner p-acme has no webhook_url")
    gone = WebhookContact("p-acme", 5, "https://hooks.acme.example/pact", "withdrawn")
    assert destination("partner:p-acme", gone, None) == Skip("partner p-acme is withdrawn")
    assert (
        destination(SECRETARIAT, None, "https://pact.example/hook") == "https://pact.example/hook"
    )
    assert isinstance(destination(SECRETARIAT, None, None), Skip)


def test_the_signature_is_the_hex_hmac_sha256_of_the_body() -> None:
    body = b'{"event_type":"AlertFired"}'
    expected = hmac.new(b"secret", body, hashlib.sha256).hexdigest()
    assert signature(b"secret", body) == f"sha256={expected}"
    assert signature_matches(b"secret", body, f"sha256={expected}")
    assert not signature_matches(b"other", body, f"sha256={expected}")
