"""Who is signed in, kept in the signed session cookie (Starlette SessionMiddleware): the
registry's token for the person and what the pages need to know of them. Also the CSRF token
every POST form carries.

Pages take `user: CurrentUser` (sends an anonymous visitor to /sign-in) or `user: OptionalUser`,
and POST routes add `dependencies=[Depends(csrf_protect)]`."""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict, dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

SECRETARIAT_ROLES = frozenset({"admin", "officer"})
#: roles that may change things; a viewer reads only (the APIs refuse it anyway)
WRITING_ROLES = frozenset({"admin", "officer", "coordinator", "reporter"})


@dataclass(frozen=True)
class SignedIn:
    token: str
    user_id: str
    email: str
    name: str
    user_role: str
    partner_id: str | None
    is_secretariat: bool
    #: unix seconds when the registry's token ends; the session ends with it
    expires_at: float = 0.0
    totp_enabled: bool = False

    @property
    def is_admin(self) -> bool:
        return self.user_role == "admin"

    @property
    def is_coordinator(self) -> bool:
        return self.user_role == "coordinator"

    @property
    def may_write(self) -> bool:
        """Pledge, report, acknowledge: everyone but a viewer."""
        return self.user_role in WRITING_ROLES

    @property
    def manages_people(self) -> bool:
        """Invite colleagues and change their roles: a coordinator (own org) or an admin."""
        return self.user_role in ("coordinator", "admin")

    @property
    def manages_organisation(self) -> bool:
        """Profile, webhook, keys: the coordinator of a partner."""
        return self.user_role == "coordinator" and self.partner_id is not None


class SignInRequired(Exception):
    """Raised by `CurrentUser` for an anonymous visitor; the app redirects to /sign-in."""

    def __init__(self, next_path: str, message: str | None = None) -> None:
        super().__init__(next_path)
        self.next_path = next_path
        self.message = message


class CsrfFailed(Exception):
    """A POST form without the session's CSRF token; the app answers 403."""


def signed_in(request: Request) -> SignedIn | None:
    data = request.session.get("auth")
    if not isinstance(data, dict):
        return None
    try:
        user = SignedIn(**data)
    except TypeError:  # a cookie from an older portal
        request.session.pop("auth", None)
        return None
    if user.expires_at and user.expires_at <= time.time():
        request.session.pop("auth", None)
        return None
    return user


def sign_in(request: Request, token: dict[str, Any]) -> SignedIn:
    """Keep the registry's answer to a sign-in (a `Token` with its `user`) in the session.
    A fresh CSRF token too: one planted before sign-in is worth nothing after."""
    person = token["user"]
    role = str(person["role"])
    user = SignedIn(
        token=str(token["access_token"]),
        user_id=str(person["user_id"]),
        email=str(person["email"]),
        name=str(person.get("name") or person["email"]),
        user_role=role,
        partner_id=person.get("partner_id"),
        is_secretariat=role in SECRETARIAT_ROLES,
        expires_at=time.time() + float(token.get("expires_in") or 3600),
        totp_enabled=bool(person.get("totp_enabled")),
    )
    language = request.session.get("lang")
    request.session.clear()
    if language:
        request.session["lang"] = language
    request.session["auth"] = asdict(user)
    request.session["csrf"] = secrets.token_urlsafe(32)
    return user


def replace_user(request: Request, user: SignedIn) -> None:
    """After a change to the signed-in person (TOTP on, a fresh step-up token)."""
    request.session["auth"] = asdict(user)


def sign_out(request: Request) -> None:
    language = request.session.get("lang")
    request.session.clear()
    if language:
        request.session["lang"] = language


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def current_user(request: Request) -> SignedIn:
    user = signed_in(request)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target)
    return user


async def optional_user(request: Request) -> SignedIn | None:
    return signed_in(request)


async def csrf_protect(request: Request) -> None:
    """For every POST route: the form's `csrf_token` must be the session's."""
    expected = request.session.get("csrf")
    sent = (await request.form()).get("csrf_token")
    if not (isinstance(expected, str) and isinstance(sent, str)):
        raise CsrfFailed
    if not secrets.compare_digest(expected.encode(), sent.encode()):
        raise CsrfFailed


CurrentUser = Annotated[SignedIn, Depends(current_user)]
OptionalUser = Annotated[SignedIn | None, Depends(optional_user)]
