"""Signing progress reports with Ed25519, for partners that registered a public key.

The signature covers the report's canonical JSON (keys sorted, no insignificant white
space, UTF-8) and travels in the Kafka header `pact-signature` (base64), so a report is
signed in one call:

    value, headers = signed_message(report, private_key_b64)
    producer.send(PROGRESS_REPORTED.name, value, key=report.partner_id.encode(),
                  headers=headers)

Needs the `cryptography` package (`pip install pact-contracts[signing]`).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from .envelope import Event

SIGNATURE_HEADER = "pact-signature"
ALGORITHM_HEADER = "pact-signature-alg"
ALGORITHM = "ed25519"


def canonical_json(document: dict[str, Any]) -> bytes:
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def new_key_pair() -> tuple[str, str]:
    """(private key, public key), each base64 of its 32 raw bytes."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return (
        base64.b64encode(private.private_bytes_raw()).decode(),
        base64.b64encode(public).decode(),
    )


def sign(document: dict[str, Any], private_key_b64: str) -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(private_key_b64))
    return base64.b64encode(key.sign(canonical_json(document))).decode()


def verify(document: dict[str, Any], signature_b64: str, public_key_b64: str) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64, validate=True))
        key.verify(base64.b64decode(signature_b64, validate=True), canonical_json(document))
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def signed_message(event: Event, private_key_b64: str) -> tuple[bytes, list[tuple[str, bytes]]]:
    """The message value and Kafka headers of a signed event."""
    document = event.to_jsonable()
    headers = [
        (SIGNATURE_HEADER, sign(document, private_key_b64).encode()),
        (ALGORITHM_HEADER, ALGORITHM.encode()),
    ]
    return canonical_json(document), headers
