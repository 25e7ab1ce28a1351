"""Who is calling: the principal a verified token names (a partner's or the secretariat's
machine key, or a person signed in with a role), and what it may do (pact_common.permissions)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .errors import Forbidden
from .permissions import KeyScope, Kind, Permission, UserRole, may, refusal


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
    #: the person's role (None: a machine's API key)
    user_role: UserRole | None = None
    email: str | None = None
    name: str | None = None
    #: a partner's API key's scope (None: full); the token's `scope` claim
    key_scope: KeyScope | None = None
    #: unix seconds of the sign-in (password or OIDC) that issued a person's token
    auth_time: int | None = None

    @property
    def is_secretariat(self) -> bool:
        return self.role is Role.SECRETARIAT

    @property
    def actor(self) -> str:
        """Who did it, as audit trails say: a person's email, else the token's subject."""
        return self.email if self.user_role is not None and self.email else self.subject

    @property
    def kind(self) -> Kind:
        if self.user_role is not None:
            return Kind(self.user_role.value)
        if self.is_secretariat:
            return Kind.SECRETARIAT_KEY
        return Kind.REPORTING_KEY if self.key_scope is KeyScope.REPORTING else Kind.FULL_KEY

    def require(self, permission: Permission) -> None:
        """403 role_not_allowed unless the principal's kind holds `permission`."""
        if not may(self.kind, permission):
            raise RoleNotAllowed(refusal(self.kind, permission))

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


class RoleNotAllowed(Forbidden, code="role_not_allowed"):
    def __init__(self, message: str) -> None:
        super().__init__(message, field="authorization")
