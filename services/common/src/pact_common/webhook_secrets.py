"""Webhook secrets as the Standard Webhooks specification spells them (`whsec_` and the
base64 of the key), one for each receiver.

A partner's secret is neither stored nor sent on a topic. The registry, which answers it to
the partner once, and monitoring, which signs the partner's deliveries with it, derive it
from a deployment key both hold (`REGISTRY_WEBHOOK_KEY`, `MONITORING_WEBHOOK_KEY`: the same
value), the partner's id and the secret's version; only the version travels, in partner
events. The derivation is HMAC-SHA256 keyed with the deployment key (HKDF-Expand of one
block), so a secret says nothing of the key, of another partner's or of another version's.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from .dev_keys import DEV_SECRETARIAT_WEBHOOK_SECRET, DEV_WEBHOOK_KEY

PREFIX = "whsec_"
#: the specification's bounds on a secret's key, in bytes
MIN_BYTES, MAX_BYTES = 24, 64
#: a deployment key shorter than this is refused (it derives every partner's secret)
MIN_KEY_CHARS = 32
_LABEL = b"pact-webhook-secret\x00"


def spelled(key: bytes) -> str:
    return PREFIX + base64.b64encode(key).decode("ascii")


def partner_secret(deployment_key: str, partner_id: str, version: int) -> str:
    """The secret of version `version` of a partner's webhook."""
    message = _LABEL + partner_id.encode() + b"\x00" + str(version).encode()
    return spelled(hmac.new(deployment_key.encode(), message, hashlib.sha256).digest())


def new_secret() -> str:
    """A random secret (the secretariat's receiver's, for instance)."""
    return spelled(secrets.token_bytes(32))


def key_of(secret: str) -> bytes:
    """The key a `whsec_` secret spells; ValueError if it spells none the specification
    allows (24 to 64 bytes of base64)."""
    if not secret.startswith(PREFIX):
        raise ValueError(f"a webhook secret starts with {PREFIX}")
    try:
        key = base64.b64decode(secret.removeprefix(PREFIX), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"a webhook secret is {PREFIX} and base64") from None
    if not MIN_BYTES <= len(key) <= MAX_BYTES:
        raise ValueError(f"a webhook secret holds {MIN_BYTES} to {MAX_BYTES} bytes")
    return key


def check_deployment_key(key: str, environment: str) -> None:
    """ValueError for a key that must not derive secrets: too short, or the development
    default in production."""
    if len(key) < MIN_KEY_CHARS:
        raise ValueError(f"webhook_key must be at least {MIN_KEY_CHARS} characters")
    if environment == "production" and key.strip() == DEV_WEBHOOK_KEY:
        raise ValueError("webhook_key is the development default; set a real one for production")


def check_secretariat_secret(secret: str, environment: str) -> None:
    """ValueError for a secretariat secret that is not one, or the development default in
    production."""
    key = key_of(secret)
    if environment == "production" and key == key_of(DEV_SECRETARIAT_WEBHOOK_SECRET):
        raise ValueError(
            "secretariat_webhook_secret is the development default; set a real one for production"
        )
