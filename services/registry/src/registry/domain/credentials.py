"""A partner's API key: made here, kept only as its hash, proven by showing it. Pure Python."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_api_key() -> str:
    return "pk_" + secrets.token_urlsafe(32)


def hash_api_key(api_key: str) -> str:
    """API keys are 256-bit random strings, so a plain SHA-256 is a safe stored form."""
    return hashlib.sha256(api_key.encode()).hexdigest()


def holds_key(api_key_hash: str, api_key: str) -> bool:
    """Whether `api_key` is the one kept as `api_key_hash` (in constant time)."""
    return hmac.compare_digest(api_key_hash, hash_api_key(api_key))
