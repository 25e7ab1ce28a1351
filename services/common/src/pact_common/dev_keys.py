"""Development-only secrets, so `make run` works on a fresh clone.

They are public (committed) and therefore worthless: settings refuse them when
environment=production. Never use them anywhere else.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

DEV_JWT_PRIVATE_KEY = """-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEICP1nT+z7wXYHAU/HBQX4mKUbd5mRV/LElTlUknlahNN
-----END PRIVATE KEY-----
"""
DEV_JWT_PUBLIC_KEY = """-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEABkd/LjvfJGtEHOcdOnR/YjCGjH8XvIdFCjsClk5rLb8=
-----END PUBLIC KEY-----
"""
DEV_ADMIN_API_KEY = "dev-secretariat-key-not-for-production"
#: Derives every partner's webhook secret (pact_common.webhook_secrets) in development only.
DEV_WEBHOOK_KEY = "dev-webhook-key-not-for-production"
#: The secretariat's webhook receiver's secret in development only (whsec_ + base64).
DEV_SECRETARIAT_WEBHOOK_SECRET = "whsec_ZGV2LXNlY3JldGFyaWF0LXdlYmhvb2stbm90LWZvci1wcm9k"


def _public_bytes(pem: str) -> bytes | None:
    """The raw Ed25519 public key of a PEM public or private key; None if it is neither."""
    data = pem.strip().encode()
    key: object
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError):
            return None
    if isinstance(key, Ed25519PrivateKey):
        key = key.public_key()
    if not isinstance(key, Ed25519PublicKey):
        return None
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def is_development_key(pem: str) -> bool:
    """Is `pem` the development key pair, public or private half, however it is written
    (line endings, spaces, another PEM encoding of the same key)? Compared by key bytes, not
    by text, so a copy of the committed key cannot pass for a real one."""
    return _public_bytes(pem) == _DEV_PUBLIC_BYTES


_DEV_PUBLIC_BYTES = _public_bytes(DEV_JWT_PUBLIC_KEY)
