"""Tokens for security tests: the ones the platform issues, and the ones an attacker would
try (expired, signed with another key, tampered with)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pact_common.auth import Principal, Role, TokenIssuer
from pact_common.dev_keys import DEV_JWT_PRIVATE_KEY, DEV_JWT_PUBLIC_KEY

ISSUER = "pact-registry"
AUDIENCE = "pact-platform"
SECRETARIAT = Principal(subject="secretariat", role=Role.SECRETARIAT)


def partner(partner_id: str, credential_version: int = 1) -> Principal:
    return Principal(partner_id, Role.PARTNER, partner_id, credential_version)


def new_private_key_pem() -> str:
    """A fresh Ed25519 private key (PKCS#8 PEM), as a deployment would generate one."""
    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


def public_key_pem(private_key_pem: str) -> str:
    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def pem_body(pem: str) -> str:
    """The base64 body of a PEM document, without its BEGIN/END lines."""
    return "".join(line for line in pem.strip().splitlines() if not line.startswith("-----"))


def issuer(private_key_pem: str = DEV_JWT_PRIVATE_KEY, minutes: int = 15) -> TokenIssuer:
    return TokenIssuer(private_key_pem, ISSUER, AUDIENCE, timedelta(minutes=minutes))


def token(principal: Principal) -> str:
    """A valid token, as the registry signs it."""
    return issuer().issue(principal)


def expired_token(principal: Principal) -> str:
    """Signed with the right key, but it expired an hour ago."""
    return issuer().issue(principal, now=datetime.now(UTC) - timedelta(hours=2))


def forged_token(principal: Principal) -> str:
    """Well-formed and unexpired, but signed with a key the platform has never seen."""
    return issuer(new_private_key_pem()).issue(principal)


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def _b64(data: dict[str, Any] | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(datetime.now(UTC).timestamp())
    claims: dict[str, Any] = {
        "sub": "secretariat",
        "role": "secretariat",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 600,
    }
    for key, value in changes.items():
        if value is ...:
            claims.pop(key, None)
        else:
            claims[key] = value
    return claims


def _signed(claims: dict[str, Any]) -> str:
    return jwt.encode(claims, DEV_JWT_PRIVATE_KEY, algorithm="EdDSA")


def hostile_tokens() -> dict[str, str]:
    """Tokens every service must refuse with 401, each an attack or a mistake of its own."""
    header, payload, signature = token(SECRETARIAT).split(".")
    partner_claims = _b64(_claims(role="partner", sub="p-x", partner_id="p-x"))
    # The classic key confusion: HMAC "signed" with the public key as the shared secret.
    hs256 = f"{_b64({'alg': 'HS256', 'typ': 'JWT'})}.{_b64(_claims())}"
    return {
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims())}.",
        "HS256 keyed with the public key": f"{hs256}.{_b64(_hmac(hs256))}",
        "claims swapped under a genuine signature": f"{header}.{partner_claims}.{signature}",
        "signature stripped": f"{header}.{payload}.",
        "wrong audience": _signed(_claims(aud="another-platform")),
        "wrong issuer": _signed(_claims(iss="someone-else")),
        "no expiry": _signed(_claims(exp=...)),
        "unknown role": _signed(_claims(role="admin")),
        "partner without partner_id": _signed(_claims(role="partner", sub="p-x")),
        "partner without credential_version": _signed(
            _claims(role="partner", sub="p-x", partner_id="p-x")
        ),
        "credential_version as text": _signed(
            _claims(role="partner", sub="p-x", partner_id="p-x", credential_version="9")
        ),
        "not a token": "not.a.token",
        # people's claims (issue 15) that do not fit the token they are in
        "a partner's token claiming a secretariat role": _signed(
            _claims(
                role="partner", sub="p-x", partner_id="p-x", credential_version=1, user_role="admin"
            )
        ),
        "a secretariat token claiming a partner's role": _signed(_claims(user_role="viewer")),
        "an unknown user_role": _signed(_claims(user_role="superuser")),
        "a scope on the secretariat's token": _signed(_claims(scope="reporting")),
    }


def _hmac(signing_input: str) -> bytes:
    return hmac.new(DEV_JWT_PUBLIC_KEY.encode(), signing_input.encode(), hashlib.sha256).digest()
