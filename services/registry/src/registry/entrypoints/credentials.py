"""The registry's routes that issue a partner's credentials again: its API key and its
webhook's secret, each answered once; and its extra API keys (a reporting system's)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status

from pact_common.http import problems
from pact_common.permissions import KeyScope, Permission

from ..adapters.api_keys import keys_of
from ..domain import commands
from ..service_layer import api_keys, handlers
from . import credential_schemas as cs
from .services import Svc, unit_of_work
from .trust import CurrentPrincipal, StepUp

router = APIRouter()


@router.post(
    "/partners/{partner_id}/api-key",
    response_model=cs.ApiKey,
    tags=["credentials"],
    responses=problems(401, 403, 404, 409),
    dependencies=[StepUp],
)
async def rotate_key(partner_id: str, svc: Svc, principal: CurrentPrincipal) -> cs.ApiKey:
    """A new API key, shown once, for the current one in X-Api-Key; the old key and every
    token issued with it stop working at once, on every service."""
    principal.require_partner_or_secretariat(partner_id)
    key = await handlers.rotate_api_key(
        commands.RotateApiKey(partner_id, principal.actor), unit_of_work(svc), svc.clock
    )
    return cs.ApiKey(api_key=key)


@router.post(
    "/partners/{partner_id}/webhook-secret",
    response_model=cs.WebhookSecret,
    tags=["credentials"],
    responses=problems(401, 403, 404, 409, 413, 422),
    dependencies=[StepUp],
)
async def rotate_webhook_secret(
    partner_id: str,
    svc: Svc,
    principal: CurrentPrincipal,
    body: cs.WebhookSecretRotation | None = None,
) -> cs.WebhookSecret:
    """A new secret for the partner's webhook, shown once, for the current API key in
    X-Api-Key (a stolen token alone could otherwise read the new secret and forge
    deliveries). The previous one keeps signing beside it for `overlap_seconds` (deliveries
    carry both signatures), then stops."""
    principal.require_partner_or_secretariat(partner_id)
    seconds = body.overlap_seconds if body is not None else None
    overlap = svc.webhook_overlap if seconds is None else timedelta(seconds=seconds)
    cmd = commands.RotateWebhookSecret(partner_id, principal.actor, overlap)
    partner, secret = await handlers.rotate_webhook_secret(
        cmd, unit_of_work(svc), svc.clock, svc.webhook_secrets
    )
    return cs.WebhookSecret(
        webhook_secret=secret,
        webhook_secret_version=partner.webhook_secret_version,
        webhook_previous_secret_until=partner.webhook_previous_secret_until,
    )


KeyId = Annotated[str, Path(min_length=1, max_length=64)]


@router.post(
    "/partners/{partner_id}/api-keys",
    status_code=status.HTTP_201_CREATED,
    response_model=cs.ApiKeyCreated,
    tags=["credentials"],
    responses=problems(401, 403, 404, 409, 413, 422),
    dependencies=[StepUp],
)
async def create_api_key(
    partner_id: str, body: cs.NewApiKey, svc: Svc, principal: CurrentPrincipal
) -> cs.ApiKeyCreated:
    """An extra API key, shown once, for a reporting system: its tokens report progress and
    read its rejections, nothing else. With the current API key in X-Api-Key (or a
    coordinator's fresh sign-in)."""
    principal.require_partner_or_secretariat(partner_id)
    key, secret = await api_keys.create_api_key(
        partner_id, body.label, KeyScope(body.scope), principal.actor, unit_of_work(svc), svc.clock
    )
    return cs.ApiKeyCreated(key_id=key.id, api_key=secret, label=key.label, scope=key.scope)


@router.get(
    "/partners/{partner_id}/api-keys",
    response_model=cs.ApiKeyList,
    tags=["credentials"],
    responses=problems(401, 403),
)
async def list_api_keys(
    request: Request, partner_id: str, principal: CurrentPrincipal
) -> cs.ApiKeyList:
    """The partner's extra API keys (never their secrets)."""
    principal.require_partner_or_secretariat(partner_id)
    principal.require(Permission.MANAGE_ORGANISATION)
    found = await keys_of(request.app.state.runtime.mongo.db, partner_id)
    return cs.ApiKeyList(
        items=[
            cs.ApiKeyOut(
                key_id=k.id,
                label=k.label,
                scope=k.scope,
                created_at=k.created_at,
                created_by=k.created_by,
            )
            for k in found
        ]
    )


@router.delete(
    "/partners/{partner_id}/api-keys/{key_id}",
    status_code=204,
    response_class=Response,
    tags=["credentials"],
    responses=problems(401, 403, 404),
)
async def delete_api_key(
    partner_id: str, key_id: KeyId, svc: Svc, principal: CurrentPrincipal
) -> Response:
    """The key gets no more tokens; those it got end within their lifetime."""
    principal.require_partner_or_secretariat(partner_id)
    principal.require(Permission.MANAGE_ORGANISATION)
    await api_keys.delete_api_key(partner_id, key_id, unit_of_work(svc))
    return Response(status_code=204)
