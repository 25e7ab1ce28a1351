"""Whom the registry answers, and what a token alone may not do.

- Every partner token is checked against the partner as the registry has it now: pending and
  active partners are answered, suspended, withdrawn and rejected ones refused (403), and a
  token issued before the partner's credentials changed (a rotated key, a suspension) is
  revoked (401).
- Step-up: rotating the API key, withdrawing, and setting the webhook URL or the signing key
  also need the caller's current API key in the `X-Api-Key` header (the partner's own; the
  secretariat's admin key), so a stolen token cannot make itself permanent; or, for a
  coordinator or an admin signed in as a person, a token from a sign-in of the last five
  minutes (the portal asks for the password again).
- A person's token is refused (401 token_revoked) once the account is disabled, or its role
  changed, since it was issued.
- The directory: only active partners and the secretariat read beyond their own registration,
  and a partner sees other partners only while they are active."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Header, Request

from pact_common.auth import Principal, Standing, current_principal, require_standing
from pact_common.errors import Unauthorized
from pact_common.mongo import Document
from pact_common.permissions import Permission, UserRole

from ..domain import commands
from ..domain.errors import PartnerNotAllowed
from ..domain.model import Status, may_get_token
from ..service_layer import handlers

if TYPE_CHECKING:
    from .services import Services

#: the statuses whose partners the registry answers (with a token they got while in them)
ANSWERED = frozenset(s for s in Status if may_get_token(s))
#: profile fields that only change with the current API key beside the token
STEP_UP_FIELDS = ("webhook_url", "signing_public_key")
STEP_UP = (
    "The caller's current API key (a partner's own; the secretariat's admin key), beside the "
    "token. Required to rotate the API key, to withdraw, and to set webhook_url or "
    "signing_public_key: without it, or with another, 403 api_key_required. Not needed by "
    "a coordinator's or an admin's token from a sign-in of the last five minutes."
)
#: how recent a person's sign-in stands for the step-up
RECENT_SIGN_IN = timedelta(minutes=5)
STEPPING_UP = frozenset({UserRole.COORDINATOR, UserRole.ADMIN})


def _services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def standing(doc: dict[str, Any] | None) -> Standing | None:
    if doc is None:
        return None
    return Standing(Status(doc["status"]), doc.get("credential_version", 1))


async def _in_good_standing(request: Request, principal: Principal) -> None:
    if principal.partner_id is not None:
        doc = await _services(request).views.partner(principal.partner_id)
        require_standing(principal, standing(doc), answered=ANSWERED)
    if principal.user_role is not None:
        user = await _services(request).views.user(principal.subject)
        if user is None or user["status"] != "active" or user["role"] != principal.user_role:
            raise Unauthorized(
                "this token's account was disabled or its role changed since: sign in again",
                field="authorization",
                code="token_revoked",
            )


CurrentPrincipal = Annotated[Principal, Depends(current_principal(_in_good_standing))]
#: for a person's own account: a viewer too sets up its second factor
OwnPrincipal = Annotated[Principal, Depends(current_principal(_in_good_standing, guarded=False))]
CurrentApiKey = Annotated[str | None, Header(alias="X-Api-Key", description=STEP_UP)]


def recently_signed_in(principal: Principal, request: Request) -> bool:
    """A coordinator's or an admin's token from a sign-in of the last five minutes."""
    if principal.user_role not in STEPPING_UP or principal.auth_time is None:
        return False
    since = time.time() - principal.auth_time  # wall-clock, as the token's auth_time
    return 0 <= since <= RECENT_SIGN_IN.total_seconds()


async def require_api_key(request: Request, principal: Principal, api_key: str | None) -> None:
    """Step-up: the caller's current API key came with its token (or a person signed in a
    moment ago), or 403 api_key_required."""
    principal.require(Permission.MANAGE_ORGANISATION)
    if recently_signed_in(principal, request):
        return
    svc = _services(request)
    cmd = commands.ProveApiKey(principal.partner_id, api_key)
    await handlers.prove_api_key(cmd, svc.uow(), svc.admin_api_key)


async def _step_up(
    request: Request, principal: CurrentPrincipal, api_key: CurrentApiKey = None
) -> None:
    await require_api_key(request, principal, api_key)


#: the route needs the current API key beside the token (`dependencies=[StepUp]`)
StepUp = Depends(_step_up)


async def require_directory_reader(request: Request, principal: Principal) -> None:
    """Only active partners (and the secretariat) read beyond their own registration."""
    if principal.partner_id is None:
        return
    doc = await _services(request).views.partner(principal.partner_id)
    if doc is None or doc["status"] != Status.ACTIVE.value:
        raise PartnerNotAllowed(
            f"partner {principal.partner_id} is not active: it may read its own registration only",
            field="authorization",
        )


def shown_to(principal: Principal) -> Document:
    """The partners a caller sees: the secretariat all; a partner itself and active ones."""
    if principal.partner_id is None:
        return {}
    return {"$or": [{"status": Status.ACTIVE.value}, {"_id": principal.partner_id}]}
