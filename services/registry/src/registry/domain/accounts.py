"""People's accounts (issue 15): a user of the secretariat or of a partner organisation, with
a role, a password (kept only as its Argon2 hash), an optional TOTP second factor and an
optional link to an OpenID Connect identity; and the invitations that create them (kept only
as the SHA-256 of their token). Pure Python."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

import pyotp
from pwdlib import PasswordHash

from pact_common.permissions import PARTNER_ROLES, UserRole

from .account_errors import (
    InvalidNotifications,
    InvalidPassword,
    InvalidUserRole,
    InvitationExpired,
    InvitationUsed,
    TotpInvalid,
    TotpNotStarted,
    WrongTotpCode,
)
from .events import PersonUpdated

PASSWORDS = PasswordHash.recommended()
#: what a sign-in with an unknown email checks its password against, so that it takes as
#: long as one with a known email (the answer is the same: invalid_credentials)
_DUMMY_HASH = PASSWORDS.hash("not anyone's password")
MIN_PASSWORD, MAX_PASSWORD = 12, 128
TOTP_ISSUER = "Pact for Skills"
#: how a person wants alerts by email, per severity (issue 16)
SEVERITIES = ("critical", "warning", "info")
NOTIFICATION_MODES = ("immediately", "daily", "off")
DEFAULT_NOTIFICATIONS = {"critical": "immediately", "warning": "immediately", "info": "daily"}


class UserStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"


def normalise_email(email: str) -> str:
    """One spelling per address, so that an address has one account whatever its case."""
    return email.strip().lower()


def check_password(password: str, email: str) -> None:
    """12 to 128 characters, and not the email address."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidPassword(
            f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters", field="password"
        )
    if password.strip().lower() == normalise_email(email):
        raise InvalidPassword("the password must not be the email address", field="password")


def check_role(role: UserRole, partner_id: str | None) -> None:
    """A partner's people have a partner's role, the secretariat's a secretariat's."""
    if (role in PARTNER_ROLES) != (partner_id is not None):
        if partner_id is None:
            raise InvalidUserRole(f"role {role.value} needs a partner_id", field="partner_id")
        raise InvalidUserRole(
            f"role {role.value} is the secretariat's, not a partner's", field="role"
        )


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether `password` is the one kept as `password_hash` (None: a user without a
    password, or no user: a dummy check that takes as long)."""
    return PASSWORDS.verify(password, password_hash or _DUMMY_HASH) and password_hash is not None


def sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class User:
    id: str
    email: str
    name: str
    role: UserRole
    partner_id: str | None
    created_at: datetime
    status: UserStatus = UserStatus.ACTIVE
    password_hash: str | None = field(default=None, repr=False)
    totp_secret: str | None = field(default=None, repr=False)
    #: a secret set up but not yet confirmed with a code
    totp_pending: str | None = field(default=None, repr=False)
    #: the time step of the last code a sign-in took: a code is good for one sign-in
    totp_last_step: int | None = field(default=None, repr=False)
    #: the linked OpenID Connect identity: (issuer, subject)
    oidc: tuple[str, str] | None = None
    #: severity -> "immediately" | "daily" | "off" (DEFAULT_NOTIFICATIONS)
    notifications: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_NOTIFICATIONS))
    #: one more each time the account is published (PersonUpdated)
    version: int = 0
    events: list[PersonUpdated] = field(default_factory=list, repr=False, compare=False)

    def _published(self) -> None:
        self.version += 1
        self.events.append(PersonUpdated(self.id))

    @classmethod
    def create(
        cls,
        *,
        email: str,
        name: str,
        role: UserRole,
        partner_id: str | None,
        password: str,
        at: datetime,
    ) -> User:
        check_role(role, partner_id)
        check_password(password, email)
        user = cls(
            id="usr-" + secrets.token_hex(8),
            email=normalise_email(email),
            name=name,
            role=role,
            partner_id=partner_id,
            created_at=at,
            password_hash=PASSWORDS.hash(password),
        )
        user._published()
        return user

    @property
    def is_active(self) -> bool:
        return self.status is UserStatus.ACTIVE

    @property
    def totp_enabled(self) -> bool:
        return self.totp_secret is not None

    def start_totp(self) -> str:
        """A new secret, pending until a code made with it is confirmed."""
        self.totp_pending = pyotp.random_base32()
        return self.totp_pending

    def totp_uri(self, secret: str) -> str:
        return pyotp.TOTP(secret).provisioning_uri(name=self.email, issuer_name=TOTP_ISSUER)

    def confirm_totp(self, code: str) -> None:
        if self.totp_pending is None:
            raise TotpNotStarted("set up TOTP first (POST /users/me/totp)", field="code")
        if not pyotp.TOTP(self.totp_pending).verify(code, valid_window=1):
            raise WrongTotpCode("the code does not match the new secret", field="code")
        self.totp_secret, self.totp_pending = self.totp_pending, None

    def use_totp(self, code: str, at: datetime) -> None:
        """Sign-in's second factor: the code of the step before, at or after `at` (a clock a
        little off), each step's code taken once (RFC 6238: a code seen is not accepted
        again, so one read over a shoulder or from a log cannot sign in a second time)."""
        invalid = TotpInvalid("the TOTP code is not the current one", field="totp_code")
        if self.totp_secret is None:
            raise invalid
        totp = pyotp.TOTP(self.totp_secret)
        now = totp.timecode(at)
        step = next(
            (s for s in (now - 1, now, now + 1) if hmac.compare_digest(totp.generate_otp(s), code)),
            None,
        )
        if step is None:
            raise invalid
        if self.totp_last_step is not None and step <= self.totp_last_step:
            raise TotpInvalid(
                "this TOTP code has signed in already: wait for the next one", field="totp_code"
            )
        self.totp_last_step = step

    def change(self, *, role: UserRole | None, status: UserStatus | None) -> None:
        if role is not None:
            check_role(role, self.partner_id)
            self.role = role
        if status is not None:
            self.status = status
        if role is not None or status is not None:
            self._published()

    def publish(self) -> None:
        """Publish the account as it is (one made before accounts were published)."""
        self._published()

    def set_notifications(self, changes: dict[str, str]) -> None:
        """Some severities' modes (the others kept)."""
        for severity, mode in changes.items():
            if severity not in SEVERITIES or mode not in NOTIFICATION_MODES:
                raise InvalidNotifications(
                    f"{severity}: one of {', '.join(NOTIFICATION_MODES)} per severity "
                    f"({', '.join(SEVERITIES)})",
                    field=severity,
                )
        self.notifications = {**self.notifications, **changes}
        self._published()

    @property
    def is_active_coordinator(self) -> bool:
        return self.is_active and self.role is UserRole.COORDINATOR


@dataclass
class Invitation:
    id: str
    token_hash: str
    email: str
    role: UserRole
    partner_id: str | None
    created_at: datetime
    expires_at: datetime
    created_by: str
    used_at: datetime | None = None

    @classmethod
    def issue(
        cls,
        *,
        email: str,
        role: UserRole,
        partner_id: str | None,
        by: str,
        at: datetime,
        ttl: timedelta,
    ) -> tuple[Invitation, str]:
        """A new invitation and its token (shown once; only its hash is kept)."""
        check_role(role, partner_id)
        token = secrets.token_urlsafe(32)
        invitation = cls(
            id="inv-" + secrets.token_hex(8),
            token_hash=sha256(token),
            email=normalise_email(email),
            role=role,
            partner_id=partner_id,
            created_at=at,
            expires_at=at + ttl,
            created_by=by,
        )
        return invitation, token

    def check_open(self, at: datetime) -> None:
        if self.used_at is not None:
            raise InvitationUsed("this invitation was used already", field="token")
        if at >= self.expires_at:
            raise InvitationExpired("this invitation has expired: ask for a new one", field="token")

    def accept(self, *, name: str, password: str, at: datetime) -> User:
        self.check_open(at)
        user = User.create(
            email=self.email,
            name=name,
            role=self.role,
            partner_id=self.partner_id,
            password=password,
            at=at,
        )
        self.used_at = at
        return user
