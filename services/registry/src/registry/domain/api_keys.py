"""A partner's extra API keys (issue 15): each for one job, today `reporting` (report progress
and read its rejections), so that a reporting system never holds the key that manages the
organisation. Kept only as the key's hash, like the primary key. Pure Python."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from pact_common.permissions import KeyScope

from .credentials import hash_api_key, new_api_key

#: how many extra keys a partner may hold at once
MAX_KEYS = 20


@dataclass(frozen=True)
class ApiKey:
    id: str
    partner_id: str
    label: str
    scope: KeyScope
    key_hash: str
    created_at: datetime
    created_by: str

    @classmethod
    def issue(
        cls, *, partner_id: str, label: str, scope: KeyScope, by: str, at: datetime
    ) -> tuple[ApiKey, str]:
        """A new key and its secret (shown once; only its hash is kept)."""
        secret = new_api_key()
        key = cls(
            id="key-" + secrets.token_hex(6),
            partner_id=partner_id,
            label=label,
            scope=scope,
            key_hash=hash_api_key(secret),
            created_at=at,
            created_by=by,
        )
        return key, secret
