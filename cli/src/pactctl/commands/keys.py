"""Ed25519 key pairs for partners that sign their progress reports."""

from __future__ import annotations

import binascii

import typer

from pact_contracts.signing import new_key_pair, sign

from ..output import CliError, console, emit_json, errors, handled
from ..settings import settings


def check_signing_key(private_key: str) -> None:
    """Refuses a key that is not base64 of 32 raw bytes, before anything is sent."""
    try:
        sign({}, private_key)
    except (ValueError, binascii.Error) as exc:
        raise CliError(
            "the signing key must be an Ed25519 private key: base64 of its 32 raw bytes "
            "(pactctl keygen makes one)"
        ) from exc


@handled
def keygen(ctx: typer.Context) -> None:
    """A new Ed25519 key pair for signing progress reports: register the public key
    (register --signing-public-key), keep the private one (--signing-key, PACT_SIGNING_KEY)."""
    private, public = new_key_pair()
    if settings(ctx).json_output:
        emit_json({"private_key": private, "public_key": public})
        return
    console.print(f"public key:  {public}")
    console.print(f"private key: {private}")
    errors.print("Keep the private key secret; the registry needs only the public one.")
