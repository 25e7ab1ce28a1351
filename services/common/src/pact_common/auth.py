"""Platform identity: short-lived EdDSA (Ed25519) tokens that the registry signs and every
service verifies offline with the public key.

A partner's token carries the partner's credential version at issue; each service keeps the
latest it knows (the registry its own, the others from the partner events) and, with
`require_standing`, refuses a token older than that, a partner it does not know, and a
partner whose status it does not answer.

A person's token (issue 15) also says who signed in (`user_role`, `email`, `name`, and when:
`auth_time`); a partner's extra API key's says `scope: reporting`. All optional: a token
without them is a machine's, as before. What each may do is pact_common.permissions'."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Container
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .errors import Forbidden, Unauthorized
from .permissions import REPORTING_KEY_PATHS, Kind, UserRole
from .principal import Principal, Role, RoleNotAllowed
from .tokens import TokenIssuer, TokenVerifier
from .vocabulary import PartnerStatus

__all__ = [
    "CurrentPrincipal", "Principal", "PrincipalCheck", "Role", "RoleNotAllowed", "Standing",
    "TokenIssuer", "TokenVerifier", "current_principal", "guard", "principal_dependency",
    "require_standing",
]  # fmt: skip

#: the methods that change nothing: the only ones a viewer's token is answered on
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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


def guard(principal: Principal, method: str, path: str) -> None:
    """Defence in depth, before any route's own rule: a viewer reads and never writes, and a
    reporting key is answered on the progress routes only (403 role_not_allowed)."""
    if principal.user_role is UserRole.VIEWER and method.upper() not in SAFE_METHODS:
        raise RoleNotAllowed("a viewer may only read: it may not change anything")
    if principal.kind is Kind.REPORTING_KEY and not path.startswith(REPORTING_KEY_PATHS):
        raise RoleNotAllowed("a reporting key may only report progress and read its rejections")


def principal_dependency(
    verifier_of: Callable[[Request], TokenVerifier],
    check_of: Callable[[Request], PrincipalCheck | None] = lambda _: None,
    *,
    guarded: bool = True,
) -> Any:
    """A FastAPI dependency giving the request's verified Principal (401 without one),
    `guard`ed unless said otherwise (a person's own account: a viewer sets up its TOTP)."""

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
        if guarded:
            guard(principal, request.method, request.url.path)
        return principal

    return current_principal


def current_principal(
    check: Callable[[Request, Principal], Awaitable[None]] | None = None, *, guarded: bool = True
) -> Any:
    """principal_dependency for a service built by pact_common.runtime (its verifier is on
    app.state.runtime), with an optional check of the service's own (e.g. refuse partners
    its read model knows to be suspended)."""
    return principal_dependency(
        lambda r: r.app.state.runtime.verifier,
        (lambda r: lambda p: check(r, p)) if check is not None else (lambda _: None),
        guarded=guarded,
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
