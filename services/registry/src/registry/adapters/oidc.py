"""Verifies an OpenID Connect provider's id_tokens (joserfc), with the provider's keys read
from its discovery document's jwks_uri (httpx) and cached; read again at once when a token
names a key not in the cache (the provider rotated its keys)."""

from __future__ import annotations

import time
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from ..domain.account_errors import InvalidIdToken, OidcUnavailable

#: the signature algorithms an id_token may use (never "none", never HMAC with a public key)
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA")
#: leeway for the provider's clock (seconds)
LEEWAY = 60
#: keys are read again for an unknown key at most this often, so that bad tokens cannot
#: make the registry call the provider at every request
REFRESH_AT_MOST_EVERY = 30.0


class OidcVerifier:
    def __init__(self, issuer: str, client_id: str, *, cache_seconds: float = 3600) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self._cache_seconds = cache_seconds
        self._keys: KeySet | None = None
        self._read_at = 0.0

    async def _fetch(self) -> KeySet:
        try:
            async with httpx.AsyncClient(timeout=5.0) as client:
                found = await client.get(f"{self.issuer}/.well-known/openid-configuration")
                found.raise_for_status()
                metadata = found.json()
                if metadata.get("issuer", "").rstrip("/") != self.issuer:
                    raise OidcUnavailable("the provider's discovery names another issuer")
                keys = await client.get(metadata["jwks_uri"])
                keys.raise_for_status()
                return KeySet.import_key_set(keys.json())
        except (httpx.HTTPError, ValueError, KeyError, JoseError) as exc:
            raise OidcUnavailable(f"the sign-in provider cannot be reached: {exc}") from exc

    async def _key_set(self, *, fresh: bool = False) -> KeySet:
        stale = time.monotonic() - self._read_at > self._cache_seconds
        if self._keys is None or stale or fresh:
            self._keys = await self._fetch()
            self._read_at = time.monotonic()
        return self._keys

    async def verify(self, id_token: str, nonce: str) -> dict[str, Any]:
        """The token's claims, once its signature, issuer, audience, expiry and nonce hold;
        else 401 invalid_id_token."""
        try:
            token = await self._decode(id_token)
            jwt.JWTClaimsRegistry(
                leeway=LEEWAY,
                iss={"essential": True, "value": self.issuer},
                sub={"essential": True},
                exp={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(token.claims)
        except (JoseError, ValueError) as exc:
            raise InvalidIdToken(f"the id_token is not valid: {exc}", field="id_token") from exc
        audience = token.claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.client_id not in audiences:
            raise InvalidIdToken("the id_token is for another client", field="id_token")
        return dict(token.claims)

    async def _decode(self, id_token: str) -> jwt.Token:
        try:
            return jwt.decode(id_token, await self._key_set(), algorithms=list(ALGORITHMS))
        except (JoseError, ValueError):
            if time.monotonic() - self._read_at < REFRESH_AT_MOST_EVERY:
                raise
            # a key the cache does not hold yet: read the provider's keys again, once
            return jwt.decode(
                id_token, await self._key_set(fresh=True), algorithms=list(ALGORITHMS)
            )
