"""The registry's routes that issue a partner's credentials again: its API key and its
webhook's secret, each answered once."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter

from pact_common.http import problems

from ..domain import commands
from ..service_layer import handlers
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
