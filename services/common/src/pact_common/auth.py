"""Platform identity: short-lived EdDSA (Ed25519) tokens that the registry signs and every
service verifies offline with the public key.

A partner's token carries the partner's credential version at issue; each service keeps the
latest it knows (the registry its own, the others from the partner events) and, with
`require_standing`, refuses a token older than that, a partner it does not know, and a
partner whose status it does not answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Container
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .errors import Forbidden, Unauthorized
from .vocabulary import PartnerStatus


class Role(StrEnum):
    PARTNER = "partner"
    SECRETARIAT = "secretariat"


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    partner_id: str | None = None
    #: a partner's credential version when its token was issued (None: the secretariat)
    credential_version: int | None = None

    @property
    def is_secretariat(self) -> bool:
        return self.role is Role.SECRETARIAT

    def require_secretariat(self) -> None:
        if not self.is_secretariat:
            raise Forbidden("this action is for the partnership secretariat", field="authorization")

    def scope(self, asked: str | None, *, may: str, field: str = "partner_id") -> str | None:
        """Whose records a listing shows: the secretariat's choice (None: everyone's); a
        partner's own, asking for another's refused ("partner p-1 may {may} only")."""
        if self.is_secretariat:
            return asked
        if asked not in (None, self.partner_id):
            raise Forbidden(f"partner {self.partner_id} may {may} only", field=field)
        return self.partner_id

    def require_partner_or_secretariat(self, partner_id: str) -> None:
        """A partner may act on itself only; the secretariat on anyone."""
        if not self.is_secretariat and self.partner_id != partner_id:
            raise Forbidden(
                f"partner {self.partner_id} may not act for partner {partner_id}",
                field="partner_id",
            )


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
        return jwt.encode(claims, self._key, algorithm="EdDSA")


class TokenVerifier:
    def __init__(self, public_key_pem: str, issuer: str, audience: str) -> None:
        self._key = public_key_pem
        self._issuer = issuer
        self._audience = audience

    def verify(self, token: str) -> Principal:
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
        partner_id = claims.get("partner_id")
        if role is Role.SECRETARIAT:
            return Principal(subject=str(claims["sub"]), role=role)
        if not partner_id:
            raise Unauthorized("partner token has no partner_id", field="authorization")
        version = claims.get("credential_version")
        if type(version) is not int or version < 1:
            raise Unauthorized("partner token has no credential_version", field="authorization")
        return Principal(str(claims["sub"]), role, str(partner_id), version)


@dataclass(frozen=True)
class Standing:
    """What a service knows of a partner, as far as its tokens go: its status and the version
    of its credentials (the registry's, or the latest partner event's)."""

    status: PartnerStatus
    credential_version: int


def require_standing(
    principal: Principal, standing: Standing | None, *, answered: Container[PartnerStatus]
) -> None:
    """Refuse a partner's token that the service must not answer (the secretariat's is not a
    partner's: it passes). A partner the service does not know is refused (403
    unknown_partner): it cannot tell that the partner is in good standing nor that the token
    is current; the registry's events reach it moments after a registration, long before an
    approval. A known status the service does not answer is refused (403
    partner_not_allowed), and so is, after that, a token older than the partner's
    credentials (401 token_revoked: its key was rotated, or it was suspended, since)."""
    partner_id = principal.partner_id
    if partner_id is None:
        return
    if standing is None:
        raise Forbidden(
            f"partner {partner_id} is not known here yet; try again in a moment",
            field="authorization",
            code="unknown_partner",
        )
    if standing.status not in answered:
        raise Forbidden(
            f"partner {partner_id} is {standing.status.value}",
            field="authorization",
            code="partner_not_allowed",
        )
    if (principal.credential_version or 0) < standing.credential_version:
        raise Unauthorized(
            f"this token of partner {partner_id} was revoked (issued before its credentials "
            "changed): ask POST /auth/token for a new one with the current API key",
            field="authorization",
            code="token_revoked",
        )


_bearer = HTTPBearer(auto_error=False, description="Token from the registry's POST /auth/token")

#: Optional extra check on a verified principal, e.g. "this partner is not suspended".
PrincipalCheck = Callable[[Principal], Awaitable[None]]


def principal_dependency(
    verifier_of: Callable[[Request], TokenVerifier],
    check_of: Callable[[Request], PrincipalCheck | None] = lambda _: None,
) -> Any:
    """A FastAPI dependency giving the request's verified Principal (401 without one)."""

    async def current_principal(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise Unauthorized("missing bearer token", field="authorization")
        principal = verifier_of(request).verify(credentials.credentials)
        check = check_of(request)
        if check is not None:
            await check(principal)
        return principal

    return current_principal


def current_principal(check: Callable[[Request, Principal], Awaitable[None]] | None = None) -> Any:
    """principal_dependency for a service built by pact_common.runtime (its verifier is on
    app.state.runtime), with an optional check of the service's own (e.g. refuse partners
    its read model knows to be suspended)."""
    return principal_dependency(
        lambda r: r.app.state.runtime.verifier,
        (lambda r: lambda p: check(r, p)) if check is not None else (lambda _: None),
    )


async def app_check(request: Request, principal: Principal) -> None:
    """The check the service's bootstrap put on the app (`app.state.principal_check`), if any."""
    check: PrincipalCheck | None = getattr(request.app.state, "principal_check", None)
    if check is not None:
        await check(principal)


#: The request's verified principal, for routes of a service built by pact_common.runtime,
#: checked by what its bootstrap set as `app.state.principal_check` (e.g. refuse partners its
#: read model knows to be suspended), if anything.
CurrentPrincipal = Annotated[Principal, Depends(current_principal(app_check))]
