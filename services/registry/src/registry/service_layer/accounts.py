"""One small function per account command: open the unit of work, load, call the domain,
commit. Who may manage whom is pact_common.permissions' table, checked here where the
target (its organisation, its role) is known."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from pact_common.clock import Clock
from pact_common.permissions import Permission, UserRole
from pact_common.principal import Principal
from pact_common.unit_of_work import retry_transient

from ..domain import account_commands as commands
from ..domain.account_errors import (
    HasUsers,
    InvitationNotFound,
    LastCoordinator,
    NoAccount,
    TotpRequired,
    UserExists,
    UserNotFound,
)
from ..domain.accounts import Invitation, User, normalise_email, password_matches, sha256
from ..domain.errors import InvalidCredentials, PartnerNotAllowed, PartnerNotFound
from ..domain.model import Partner, may_get_token
from .unit_of_work import UnitOfWork


@dataclass(frozen=True)
class SignedIn:
    """A user who may have a token now, and its partner's current credential version."""

    user: User
    credential_version: int | None


def may_manage(principal: Principal, role: UserRole, partner_id: str | None) -> None:
    """The secretariat's people are the admin's to manage; a partner's, its coordinators'
    (and the admin's)."""
    if role.is_secretariat:
        principal.require(Permission.MANAGE_SECRETARIAT_USERS)
        return
    principal.require(Permission.MANAGE_COLLEAGUES)
    if partner_id is not None:
        principal.require_partner_or_secretariat(partner_id)


async def _partner(uow: UnitOfWork, partner_id: str) -> Partner:
    partner = await uow.partners.get(partner_id)
    if partner is None:
        raise PartnerNotFound(f"no partner {partner_id}", field="partner_id")
    if not may_get_token(partner.status):
        raise PartnerNotAllowed(
            f"partner {partner.id} is {partner.status.value}", field="partner_id"
        )
    return partner


async def _signed_in(uow: UnitOfWork, user: User) -> SignedIn:
    if user.partner_id is None:
        return SignedIn(user, None)
    return SignedIn(user, (await _partner(uow, user.partner_id)).credential_version)


async def _user(uow: UnitOfWork, user_id: str) -> User:
    user = await uow.users.get(user_id)
    if user is None:
        raise UserNotFound(f"no user {user_id}", field="user_id")
    return user


@retry_transient
async def create_first_coordinator(
    cmd: commands.CreateFirstCoordinator, uow: UnitOfWork, clock: Clock
) -> User:
    async with uow:
        partner = await uow.partners.get(cmd.partner_id)
        if partner is None or not cmd.api_key or not partner.holds_key(cmd.api_key):
            raise InvalidCredentials("X-Api-Key is not this partner's API key", field="x-api-key")
        await _partner(uow, cmd.partner_id)
        if await uow.users.count_in(cmd.partner_id):
            raise HasUsers(f"partner {cmd.partner_id} has people already: ask a coordinator")
        user = User.create(
            email=cmd.email,
            name=cmd.name,
            role=UserRole.COORDINATOR,
            partner_id=cmd.partner_id,
            password=cmd.password,
            at=clock(),
        )
        await uow.users.add(user)
        await uow.commit()
    return user


@retry_transient
async def sign_in(cmd: commands.SignIn, uow: UnitOfWork, clock: Clock) -> SignedIn:
    """The same answer for an unknown email, a wrong password and a disabled user. A TOTP
    code is taken once: the step it belongs to is stored with the sign-in (two sign-ins with
    one code at once conflict on the account, and the one run again finds it used). `clock`:
    the time the authenticator's codes follow (the wall clock)."""
    async with uow:
        user = await uow.users.by_email(normalise_email(cmd.email))
        matches = password_matches(user.password_hash if user else None, cmd.password)
        if user is None or not matches or not user.is_active:
            raise InvalidCredentials("the email or the password is not right", field="password")
        if not user.totp_enabled:
            return await _signed_in(uow, user)
        if not cmd.totp_code:
            raise TotpRequired("this account asks for a TOTP code too", field="totp_code")
        user.use_totp(cmd.totp_code, clock())
        signed_in = await _signed_in(uow, user)
        await uow.users.save(user)
        await uow.commit()
        return signed_in


@retry_transient
async def sign_in_with_oidc(cmd: commands.SignInWithOidc, uow: UnitOfWork) -> SignedIn:
    """By the linked identity; else by a verified email of an active user, linking it."""
    async with uow:
        user = await uow.users.by_oidc(cmd.issuer, cmd.subject)
        linking = user is None and cmd.email is not None and cmd.email_verified
        if linking and cmd.email:
            user = await uow.users.by_email(normalise_email(cmd.email))
            if user is not None and user.oidc is None:
                user.oidc = (cmd.issuer, cmd.subject)
        if user is None or not user.is_active or user.oidc != (cmd.issuer, cmd.subject):
            raise NoAccount(
                "no account for this email: ask your coordinator for an invitation",
                field="id_token",
            )
        signed_in = await _signed_in(uow, user)
        if linking:
            await uow.users.save(user)
            await uow.commit()
    return signed_in


async def me(user_id: str, uow: UnitOfWork) -> User:
    async with uow:
        return await _user(uow, user_id)


@retry_transient
async def invite(
    cmd: commands.Invite, uow: UnitOfWork, clock: Clock, ttl: timedelta
) -> tuple[Invitation, str]:
    principal = cmd.principal
    partner_id = cmd.partner_id
    if partner_id is None and not cmd.role.is_secretariat and not principal.is_secretariat:
        partner_id = principal.partner_id  # a coordinator invites to its own organisation
    may_manage(principal, cmd.role, partner_id)
    async with uow:
        if partner_id is not None:
            await _partner(uow, partner_id)
        existing = await uow.users.by_email(normalise_email(cmd.email))
        if existing is not None and existing.is_active:
            raise UserExists(f"{existing.email} has an account already", field="email")
        invitation, token = Invitation.issue(
            email=cmd.email,
            role=cmd.role,
            partner_id=partner_id,
            by=principal.actor,
            at=clock(),
            ttl=ttl,
        )
        await uow.invitations.add(invitation)
        await uow.commit()
    return invitation, token


async def open_invitation(token: str, uow: UnitOfWork, clock: Clock) -> tuple[Invitation, str]:
    """The invitation behind `token`, and the name of the organisation it is to."""
    async with uow:
        invitation = await uow.invitations.by_token_hash(sha256(token))
        if invitation is None:
            raise InvitationNotFound("no such invitation", field="token")
        invitation.check_open(clock())
        if invitation.partner_id is None:
            return invitation, "Pact for Skills secretariat"
        partner = await uow.partners.get(invitation.partner_id)
        return invitation, partner.profile.legal_name if partner else invitation.partner_id


@retry_transient
async def accept_invitation(
    cmd: commands.AcceptInvitation, uow: UnitOfWork, clock: Clock
) -> SignedIn:
    async with uow:
        invitation = await uow.invitations.by_token_hash(sha256(cmd.token))
        if invitation is None:
            raise InvitationNotFound("no such invitation", field="token")
        user = invitation.accept(name=cmd.name, password=cmd.password, at=clock())
        signed_in = await _signed_in(uow, user)
        await uow.users.add(user)
        await uow.invitations.save(invitation)
        await uow.commit()
    return signed_in


@retry_transient
async def change_user(cmd: commands.ChangeUser, uow: UnitOfWork) -> User:
    """A role or a status; never leaving an organisation without an active coordinator."""
    async with uow:
        user = await _user(uow, cmd.user_id)
        may_manage(cmd.principal, user.role, user.partner_id)
        if cmd.role is not None:
            may_manage(cmd.principal, cmd.role, user.partner_id)
        was_coordinator = user.is_active_coordinator
        user.change(role=cmd.role, status=cmd.status)
        demoted = user.partner_id and was_coordinator and not user.is_active_coordinator
        if demoted and await uow.users.active_coordinators(user.partner_id or "") <= 1:
            raise LastCoordinator(
                f"{user.email} is the last active coordinator of partner "
                f"{user.partner_id}: make someone else coordinator first",
                field="role" if cmd.role is not None else "status",
            )
        await uow.users.save(user)
        await uow.commit()
    return user


@retry_transient
async def start_totp(user_id: str, uow: UnitOfWork) -> tuple[str, str]:
    """A pending secret and its otpauth:// URI (for a QR code)."""
    async with uow:
        user = await _user(uow, user_id)
        secret = user.start_totp()
        await uow.users.save(user)
        await uow.commit()
    return secret, user.totp_uri(secret)


@retry_transient
async def confirm_totp(cmd: commands.ConfirmTotp, uow: UnitOfWork) -> User:
    async with uow:
        user = await _user(uow, cmd.user_id)
        user.confirm_totp(cmd.code)
        await uow.users.save(user)
        await uow.commit()
    return user


@retry_transient
async def set_notifications(cmd: commands.SetNotifications, uow: UnitOfWork) -> User:
    """Published (PersonUpdated) in the same transaction, for monitoring's recipients."""
    async with uow:
        user = await _user(uow, cmd.user_id)
        user.set_notifications(cmd.changes)
        await uow.users.save(user)
        await uow.commit()
    return user


@retry_transient
async def publish_unpublished(uow: UnitOfWork, batch: int = 200) -> int:
    """Publish (PersonUpdated) the accounts made before accounts were published, so that
    monitoring knows everyone it may mail; how many were published."""
    async with uow:
        ids = await uow.users.unpublished(batch)
        for user_id in ids:
            user = await _user(uow, user_id)
            user.publish()
            await uow.users.save(user)
        await uow.commit()
    return len(ids)
