"""Sign-in through an OpenID Connect provider (EU Login speaks OIDC): the authorization code
flow with PKCE and a nonce (authlib), then the registry checks the id_token itself and
answers with the person's token (`POST /auth/oidc`). The portal never decides who someone is."""

from __future__ import annotations

import secrets
from typing import Any

from authlib.integrations.starlette_client import (  # type: ignore[import-untyped]
    OAuth,
    OAuthError,
)
from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..adapters.api import ApiError
from ..i18n import gettext_for
from ..rendering import flash, render
from ..session import sign_in
from .forms import redirect, safe_next

router = APIRouter(include_in_schema=False)


def _client(request: Request) -> Any:  # authlib's client is untyped
    """The provider's client, registered once per app from the settings (None: not set)."""
    state = request.app.state
    if not hasattr(state, "oidc"):
        settings = state.settings
        state.oidc = None
        if settings.oidc_configured:
            oauth = OAuth()
            oauth.register(
                name="oidc",
                client_id=settings.oidc_client_id,
                client_secret=(
                    settings.oidc_client_secret.get_secret_value()
                    if settings.oidc_client_secret
                    else None
                ),
                server_metadata_url=(
                    f"{settings.oidc_issuer.rstrip('/')}/.well-known/openid-configuration"
                ),
                client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
            )
            state.oidc = oauth.oidc
    return state.oidc


@router.get("/sign-in/oidc")
async def start(request: Request, next: str = "/dashboard") -> Response:
    client = _client(request)
    if client is None:
        return redirect("/sign-in")
    nonce = secrets.token_urlsafe(24)
    request.session["oidc"] = {"nonce": nonce, "next": safe_next(next, "/dashboard")}
    callback = f"{request.app.state.settings.public_url.rstrip('/')}/auth/callback"
    response: Response = await client.authorize_redirect(request, callback, nonce=nonce)
    return response


@router.get("/auth/callback")
async def callback(request: Request) -> Response:
    _ = gettext_for(request)
    client = _client(request)
    started = request.session.pop("oidc", None)
    if client is None or not isinstance(started, dict):
        return redirect("/sign-in")
    try:
        answer = await client.authorize_access_token(request)
    except OAuthError:
        flash(request, _("The sign-in with the provider did not complete. Try again."), "error")
        return redirect("/sign-in")
    body = {"id_token": answer.get("id_token"), "nonce": started["nonce"]}
    try:
        token = await request.app.state.apis.registry.post("/auth/oidc", json=body)
    except ApiError as exc:
        if exc.status not in (401, 403, 404, 422):
            raise
        message = _("No account for this email: ask your coordinator for an invitation.")
        if exc.code != "no_account":
            message = _("The provider's answer was refused: %(reason)s", reason=exc.message)
        return render(
            request, "error.html", status_code=403, title=_("Sign-in refused"), message=message
        )
    user = sign_in(request, token)
    flash(request, _("Signed in as %(name)s.", name=user.name), "success")
    return redirect(safe_next(started.get("next"), "/dashboard"))
