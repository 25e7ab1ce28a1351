"""People's accounts over HTTP (issue 15): an organisation's first coordinator, sign-in with a
password (and TOTP), invitations, the users of an organisation, and TOTP set-up. Thin: parse,
build a command, call a handler, shape the answer; a person's token is issued here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, status

from pact_common.auth import Principal, Role, TokenIssuer
from pact_common.clock import utc_now
from pact_common.http import PROBLEMS, Limit, problems
from pact_common.paging import After, cursor, parse_cursor

from ..adapters.accounts import USER_ORDER, UserViews
from ..adapters.oidc import OidcVerifier
from ..domain import account_commands as commands
from ..domain.account_errors import OidcNotConfigured, UserNotFound
from ..service_layer import accounts as handlers
from ..service_layer.accounts import SignedIn
from . import account_schemas as s
from .services import Services, Svc, unit_of_work
from .trust import CurrentPrincipal, OwnPrincipal

router = APIRouter(tags=["accounts"])
GONE: dict[int | str, dict[str, Any]] = {410: {"description": "The invitation expired or was used"}}
InvitationToken = Annotated[str, Path(min_length=10, max_length=200)]
UserId = Annotated[str, Path(min_length=1, max_length=64)]


@dataclass
class Accounts:
    """What the account routes need beside the registry's Services; built by bootstrap."""

    #: signs people's tokens (their own lifetime: REGISTRY_USER_TOKEN_TTL_SECONDS)
    issuer: TokenIssuer
    invitation_ttl: timedelta
    views: UserViews
    #: verifies OpenID Connect id_tokens (adapters.oidc); None: not configured
    oidc: OidcVerifier | None = None


def accounts(request: Request) -> Accounts:
    acc: Accounts = request.app.state.accounts
    return acc


Acc = Annotated[Accounts, Depends(accounts)]

#: An invitation lasts a week of people's time: under make run's time-lapse the platform's
#: clock would end it within seconds.
WALL_CLOCK = utc_now


def user_token(acc: Accounts, svc: Services, signed: SignedIn) -> s.UserToken:
    """A person's token: its role, email, name and the moment of this sign-in."""
    # the wall clock, as for machine tokens: every service checks a token's times against the
    # real time, while the platform's clock may run time-lapsed (make run's demo)
    user, now = signed.user, datetime.now(UTC)
    principal = Principal(
        user.id,
        Role.SECRETARIAT if user.role.is_secretariat else Role.PARTNER,
        user.partner_id,
        signed.credential_version,
        user_role=user.role,
        email=user.email,
        name=user.name,
        auth_time=int(now.timestamp()),
    )
    return s.UserToken(
        access_token=acc.issuer.issue(principal, now),
        expires_in=int(acc.issuer.ttl.total_seconds()),
        role=principal.role.value,
        partner_id=user.partner_id,
        user=s.UserOut.of(user),
    )


def _me(principal: Principal) -> str:
    if principal.user_role is None:
        raise UserNotFound("this token is an API key's, not a person's", field="authorization")
    return principal.subject


@router.post(
    "/partners/{partner_id}/users/first",
    status_code=status.HTTP_201_CREATED,
    response_model=s.UserOut,
    responses=problems(401, 403, 409, 413, 422),
)
async def first_coordinator(
    partner_id: str,
    body: s.FirstCoordinator,
    svc: Svc,
    api_key: Annotated[str | None, Header(alias="X-Api-Key", max_length=200)] = None,
) -> s.UserOut:
    """An organisation's first coordinator, with the API key its registration answered (in
    X-Api-Key). 409 has_users once it has people: they invite the others."""
    cmd = commands.CreateFirstCoordinator(partner_id, api_key, body.email, body.name, body.password)
    return s.UserOut.of(await handlers.create_first_coordinator(cmd, unit_of_work(svc), svc.clock))


@router.post("/auth/password", response_model=s.UserToken, responses=problems(401, 403, 413, 422))
async def sign_in(body: s.PasswordSignIn, svc: Svc, acc: Acc) -> s.UserToken:
    """A person's token for an email and a password (and the TOTP code, when TOTP is on):
    401 invalid_credentials alike for an unknown email, a wrong password and a disabled
    account; 401 totp_required without the code, totp_invalid with a wrong one."""
    cmd = commands.SignIn(body.email, body.password, body.totp_code)
    # the wall clock: the authenticator's codes follow the real time, not a time-lapse
    return user_token(acc, svc, await handlers.sign_in(cmd, unit_of_work(svc), WALL_CLOCK))


@router.post(
    "/auth/oidc",
    response_model=s.UserToken,
    responses={
        **problems(401, 403, 404, 413, 422),
        503: {"description": "The sign-in provider cannot be reached"},
    },
)
async def sign_in_with_oidc(body: s.OidcSignIn, svc: Svc, acc: Acc) -> s.UserToken:
    """A person's token for an id_token of the registry's OpenID Connect provider
    (REGISTRY_OIDC_ISSUER, for REGISTRY_OIDC_CLIENT_ID), with the nonce its sign-in sent: the
    account linked to that identity, or the active account of its verified email (linked
    from then on). 403 no_account for anyone else; 404 oidc_not_configured without one."""
    if acc.oidc is None:
        raise OidcNotConfigured("this registry has no OpenID Connect provider", field="id_token")
    claims = await acc.oidc.verify(body.id_token, body.nonce)
    cmd = commands.SignInWithOidc(
        issuer=acc.oidc.issuer,
        subject=str(claims["sub"]),
        email=claims.get("email") if isinstance(claims.get("email"), str) else None,
        email_verified=claims.get("email_verified") is True,
    )
    return user_token(acc, svc, await handlers.sign_in_with_oidc(cmd, unit_of_work(svc)))


@router.get("/auth/me", response_model=s.UserOut, responses=problems(401, 403, 404))
async def me(principal: CurrentPrincipal, svc: Svc) -> s.UserOut:
    """The signed-in person (404 for an API key's token)."""
    return s.UserOut.of(await handlers.me(_me(principal), unit_of_work(svc)))


@router.post(
    "/invitations",
    status_code=status.HTTP_201_CREATED,
    response_model=s.InvitationCreated,
    responses=problems(401, 403, 404, 409, 413, 422),
)
async def invite(
    body: s.InvitationRequest, principal: CurrentPrincipal, svc: Svc, acc: Acc
) -> s.InvitationCreated:
    """A coordinator invites colleagues to its organisation (coordinator, reporter,
    viewer); an admin anyone, secretariat users too (no partner_id). The token is shown once:
    the invitation link ends with it."""
    cmd = commands.Invite(principal, body.email, body.role, body.partner_id)
    invitation, token = await handlers.invite(
        cmd, unit_of_work(svc), WALL_CLOCK, acc.invitation_ttl
    )
    return s.InvitationCreated(
        invitation_id=invitation.id,
        token=token,
        expires_at=invitation.expires_at,
        email=invitation.email,
        role=invitation.role,
        partner_id=invitation.partner_id,
    )


@router.get(
    "/invitations/{token}",
    response_model=s.InvitationShown,
    responses={**problems(404, 422), **GONE},
)
async def show_invitation(token: InvitationToken, svc: Svc) -> s.InvitationShown:
    """What an invitation link offers, for anyone holding it."""
    invitation, organisation = await handlers.open_invitation(token, unit_of_work(svc), WALL_CLOCK)
    return s.InvitationShown(
        email=invitation.email,
        role=invitation.role,
        partner_id=invitation.partner_id,
        organisation_name=organisation,
        expires_at=invitation.expires_at,
    )


@router.post(
    "/invitations/{token}/accept",
    status_code=status.HTTP_201_CREATED,
    response_model=s.UserToken,
    responses={**problems(403, 404, 409, 413, 422), **GONE},
)
async def accept(token: InvitationToken, body: s.Acceptance, svc: Svc, acc: Acc) -> s.UserToken:
    """The invited person's account, signed in at once."""
    cmd = commands.AcceptInvitation(token, body.name, body.password)
    return user_token(
        acc, svc, await handlers.accept_invitation(cmd, unit_of_work(svc), WALL_CLOCK)
    )


@router.get("/users", response_model=s.UserPage, responses=problems(401, 403, 422))
async def users(
    principal: CurrentPrincipal,
    acc: Acc,
    partner_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    limit: Limit = 50,
    after: After = None,
) -> s.UserPage:
    """An organisation's people: a partner's own; the secretariat's choice (`partner_id`;
    none: everyone, the secretariat's people too)."""
    whose = principal.scope(partner_id, may="list its own people")
    docs = await acc.views.users(whose, limit, parse_cursor(after) if after else None)
    more = cursor(docs[-1], USER_ORDER) if len(docs) == limit else None
    return s.UserPage(items=[s.UserOut.from_doc(d) for d in docs], next_cursor=more)


@router.patch(
    "/users/{user_id}",
    response_model=s.UserOut,
    responses=problems(401, 403, 404, 409, 413, 422),
)
async def change_user(
    user_id: UserId, body: s.UserChanges, principal: CurrentPrincipal, svc: Svc
) -> s.UserOut:
    """A coordinator changes the role of its organisation's people or disables them (an
    admin anyone's); 409 last_coordinator rather than leave an organisation without one."""
    cmd = commands.ChangeUser(principal, user_id, body.role, body.status)
    return s.UserOut.of(await handlers.change_user(cmd, unit_of_work(svc)))


@router.post("/users/me/totp", response_model=s.TotpSetup, responses=problems(401, 403, 404))
async def start_totp(principal: OwnPrincipal, svc: Svc) -> s.TotpSetup:
    """A new TOTP secret for the signed-in person, on once a code made with it is confirmed."""
    secret, uri = await handlers.start_totp(_me(principal), unit_of_work(svc))
    return s.TotpSetup(secret=secret, otpauth_uri=uri)


@router.post(
    "/users/me/totp/confirm",
    response_model=s.UserOut,
    responses={**problems(401, 403, 404, 409, 413), 422: PROBLEMS[422]},
)
async def confirm_totp(body: s.TotpConfirmation, principal: OwnPrincipal, svc: Svc) -> s.UserOut:
    """TOTP on: sign-ins ask for a code from now on (422 field code when it is wrong)."""
    cmd = commands.ConfirmTotp(_me(principal), body.code)
    return s.UserOut.of(await handlers.confirm_totp(cmd, unit_of_work(svc)))
