"""What people ask of their accounts. A request's principal (who asks) is carried as is:
what it may do is pact_common.permissions'."""

from __future__ import annotations

from dataclasses import dataclass, field

from pact_common.permissions import UserRole
from pact_common.principal import Principal

from .accounts import UserStatus


@dataclass(frozen=True)
class CreateFirstCoordinator:
    partner_id: str
    api_key: str | None = field(repr=False)
    email: str
    name: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class SignIn:
    email: str
    password: str = field(repr=False)
    totp_code: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class SignInWithOidc:
    """An identity the OpenID Connect provider vouched for (its id_token verified)."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool


@dataclass(frozen=True)
class Invite:
    principal: Principal
    email: str
    role: UserRole
    partner_id: str | None


@dataclass(frozen=True)
class AcceptInvitation:
    token: str = field(repr=False)
    name: str = ""
    password: str = field(default="", repr=False)


@dataclass(frozen=True)
class ChangeUser:
    principal: Principal
    user_id: str
    role: UserRole | None
    status: UserStatus | None


@dataclass(frozen=True)
class ConfirmTotp:
    user_id: str
    code: str = field(repr=False)


@dataclass(frozen=True)
class SetNotifications:
    """The signed-in person's email preferences: severity -> immediately | daily | off."""

    user_id: str
    changes: dict[str, str]
