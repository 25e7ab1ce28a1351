"""The platform's tokens: EdDSA (Ed25519) JWTs the registry signs (TokenIssuer) and every
service verifies offline with the public key (TokenVerifier)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from .errors import Unauthorized
from .permissions import KeyScope, UserRole
from .principal import Principal, Role

#: claim -> Principal attribute, for the optional claims of issue 15
_OPTIONAL = {"email": "email", "name": "name", "auth_time": "auth_time"}


class TokenIssuer:
    def __init__(self, private_key_pem: str, issuer: str, audience: str, ttl: timedelta) -> None:
        self._key = private_key_pem
        self._issuer = issuer
        self._audience = audience
        self.ttl = ttl

    def issue(self, principal: Principal, now: datetime | None = None) -> str:
        now = now or datetime.now(UTC)
        claims: dict[str, Any] = {
            "sub": principal.subject,
            "role": principal.role.value,
            "iss": self._issuer,
            "aud": self._audience,
            "iat": int(now.timestamp()),
            "exp": int((now + self.ttl).timestamp()),
        }
        if principal.partner_id is not None:
            if principal.credential_version is None:
                raise ValueError("a partner's token carries its credential version")
            claims["partner_id"] = principal.partner_id
            claims["credential_version"] = principal.credential_version
        if principal.user_role is not None:
            claims["user_role"] = principal.user_role.value
        if principal.key_scope is KeyScope.REPORTING:
            claims["scope"] = principal.key_scope.value
        for claim, attribute in _OPTIONAL.items():
            if (value := getattr(principal, attribute)) is not None:
                claims[claim] = value
        return jwt.encode(claims, self._key, algorithm="EdDSA")


class TokenVerifier:
    """Verifies a token once per process: the principal of a token whose signature and
    claims were found good is kept (at most `remember` tokens, the oldest forgotten first)
    until the token's `exp`, so that the requests of one client do not each pay for an
    Ed25519 verification (about 0.2 ms, twice per request: the rate limit and the route).
    A token is the whole signed text: another signature or claim is another key."""

    def __init__(
        self,
        public_key_pem: str,
        issuer: str,
        audience: str,
        *,
        remember: int = 4096,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = public_key_pem
        self._issuer = issuer
        self._audience = audience
        self._remember = remember
        self._clock = clock
        self._known: dict[str, tuple[Principal, float]] = {}

    def verify(self, token: str) -> Principal:
        known = self._known.get(token)
        if known is not None:
            principal, expires = known
            if self._clock() < expires:
                return principal
            self._known.pop(token, None)
            raise Unauthorized("token has expired", field="authorization")
        principal, expires = self._verified(token)
        if len(self._known) >= self._remember:
            self._known.pop(next(iter(self._known), ""), None)
        self._known[token] = (principal, expires)
        return principal

    def _verified(self, token: str) -> tuple[Principal, float]:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=["EdDSA"],
                issuer=self._issuer,
                audience=self._audience,
                options={"require": ["exp", "sub", "role"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("token has expired", field="authorization") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"token is not valid: {exc}", field="authorization") from exc
        try:
            role = Role(claims["role"])
        except ValueError as exc:
            raise Unauthorized("token has an unknown role", field="authorization") from exc
        extra = _optional_claims(claims, role)
        partner_id = claims.get("partner_id")
        expires = float(claims["exp"])
        if role is Role.SECRETARIAT:
            return Principal(subject=str(claims["sub"]), role=role, **extra), expires
        if not partner_id:
            raise Unauthorized("partner token has no partner_id", field="authorization")
        version = claims.get("credential_version")
        if type(version) is not int or version < 1:
            raise Unauthorized("partner token has no credential_version", field="authorization")
        return Principal(str(claims["sub"]), role, str(partner_id), version, **extra), expires


def _optional_claims(claims: dict[str, Any], role: Role) -> dict[str, Any]:
    """The claims of issue 15, each checked (a token that says something odd is refused,
    401): a user role of the token's side, a scope on a partner's key only."""

    def bad(what: str) -> Unauthorized:
        return Unauthorized(f"token has {what}", field="authorization")

    extra: dict[str, Any] = {}
    if (user_role := claims.get("user_role")) is not None:
        if user_role not in set(UserRole):
            raise bad("an unknown user_role")
        extra["user_role"] = UserRole(user_role)
        if extra["user_role"].is_secretariat != (role is Role.SECRETARIAT):
            raise bad(f"a user_role {user_role} that is not of a {role.value}")
    if (scope := claims.get("scope")) is not None:
        if scope not in set(KeyScope) or role is Role.SECRETARIAT or user_role is not None:
            raise bad("a scope only a partner's API key may have")
        extra["key_scope"] = KeyScope(scope)
    for claim, attribute in _OPTIONAL.items():
        value = claims.get(claim)
        expected = int if claim == "auth_time" else str
        if value is not None and type(value) is not expected:
            raise bad(f"a {claim} that is not a {expected.__name__}")
        extra[attribute] = value
    return extra
