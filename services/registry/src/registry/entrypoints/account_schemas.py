"""Request and response bodies of people's accounts: sign-in, invitations, users, TOTP."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from pact_common.http import Text
from pact_common.permissions import UserRole

from ..domain.accounts import MAX_PASSWORD, MIN_PASSWORD, User, UserStatus
from .schemas import ContactEmail, Token


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


#: a new password: 12 to 128 characters, not the email (422 field password)
NewPassword = Annotated[str, StringConstraints(min_length=MIN_PASSWORD, max_length=MAX_PASSWORD)]
#: a password as a sign-in gives it (any, up to the longest a new one may be)
GivenPassword = Annotated[str, StringConstraints(min_length=1, max_length=MAX_PASSWORD)]
GivenEmail = Annotated[str, StringConstraints(min_length=3, max_length=254)]
TotpCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]
PartnerId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class UserOut(BaseModel):
    user_id: str = Field(examples=["usr-4f1c2a9b0d3e5f67"])
    email: str
    name: str
    role: UserRole
    partner_id: str | None = Field(description="None: a secretariat user.")
    status: UserStatus
    totp_enabled: bool
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> Self:
        return cls(
            user_id=user.id,
            email=user.email,
            name=user.name,
            role=user.role,
            partner_id=user.partner_id,
            status=user.status,
            totp_enabled=user.totp_enabled,
            created_at=user.created_at,
        )

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Self:
        return cls(
            user_id=doc["_id"],
            email=doc["email"],
            name=doc["name"],
            role=doc["role"],
            partner_id=doc.get("partner_id"),
            status=doc["status"],
            totp_enabled=doc.get("totp_secret") is not None,
            created_at=doc["created_at"],
        )


class UserToken(Token):
    """A person's token, and who the person is."""

    user: UserOut


class FirstCoordinator(_Body):
    email: ContactEmail
    name: Text
    password: NewPassword


class PasswordSignIn(_Body):
    email: GivenEmail
    password: GivenPassword
    totp_code: TotpCode | None = Field(
        default=None, description="The current TOTP code, when the account has TOTP on."
    )


class OidcSignIn(_Body):
    id_token: Annotated[str, StringConstraints(min_length=1, max_length=16000)] = Field(
        description="The OpenID Connect provider's id_token (the portal's code flow)."
    )
    nonce: Annotated[str, StringConstraints(min_length=1, max_length=500)] = Field(
        description="The nonce the sign-in sent: the id_token must carry it."
    )


class InvitationRequest(_Body):
    email: ContactEmail
    role: UserRole
    partner_id: PartnerId | None = Field(
        default=None,
        description="The organisation (a coordinator's own by default); none for a "
        "secretariat role.",
    )


class InvitationCreated(BaseModel):
    invitation_id: str
    token: str = Field(description="Shown once: the link's last part; only its hash is kept.")
    expires_at: datetime
    email: str
    role: UserRole
    partner_id: str | None


class InvitationShown(BaseModel):
    email: str
    role: UserRole
    partner_id: str | None
    organisation_name: str
    expires_at: datetime


class Acceptance(_Body):
    name: Text
    password: NewPassword


class UserPage(BaseModel):
    items: list[UserOut]
    next_cursor: str | None = Field(description="Pass as `after` for the next page.")


class UserChanges(_Body):
    role: UserRole | None = None
    status: UserStatus | None = None


class TotpSetup(BaseModel):
    secret: str = Field(description="Base32, for an authenticator app; pending until confirmed.")
    otpauth_uri: str = Field(description="The same as an otpauth:// URI, for a QR code.")


class TotpConfirmation(_Body):
    code: TotpCode
