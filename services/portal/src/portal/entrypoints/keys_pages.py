"""The organisation's extra API keys for reporting systems: each reports progress and reads
its rejections, nothing else. Making one is a step-up change (the password again); the key is
shown once. The organisation's primary key stays as it is (pactctl keys rotate)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from ..adapters.api import ApiError
from ..i18n import gettext_for
from ..rendering import flash, render
from ..session import CurrentUser, SignedIn, csrf_protect
from .forms import redirect
from .organisation_pages import step_up

router = APIRouter(include_in_schema=False)


async def _page(
    request: Request,
    user: SignedIn,
    *,
    errors: dict[str, str] | None = None,
    created: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    _ = gettext_for(request)
    if not user.manages_organisation:
        message = _("Only the organisation's coordinator manages its API keys.")
        return render(
            request, "error.html", status_code=403, title=_("Not allowed"), message=message
        )
    found = await request.app.state.apis.registry.get(
        f"/partners/{user.partner_id}/api-keys", token=user.token
    )
    return render(
        request,
        "identity/keys.html",
        status_code=status,
        keys=found.get("items", []),
        errors=errors or {},
        created=created,
    )


@router.get("/organisation/keys")
async def keys_page(request: Request, user: CurrentUser) -> Response:
    return await _page(request, user)


@router.post("/organisation/keys", dependencies=[Depends(csrf_protect)])
async def create_key(
    request: Request,
    user: CurrentUser,
    label: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    totp_code: Annotated[str, Form()] = "",
) -> Response:
    _ = gettext_for(request)
    if not label.strip():
        errors = {"label": _("Say what the key is for.")}
        return await _page(request, user, errors=errors, status=422)
    try:
        fresh = await step_up(request, user, password, totp_code)
    except ApiError as exc:
        if exc.status != 401:
            raise
        errors = {"password": _("The password (or the code) is not right.")}
        return await _page(request, user, errors=errors, status=401)
    body = {"label": label.strip(), "scope": "reporting"}
    try:
        created = await request.app.state.apis.registry.post(
            f"/partners/{fresh.partner_id}/api-keys", token=fresh.token, json=body
        )
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        return await _page(request, fresh, errors={"label": exc.message}, status=exc.status)
    return await _page(request, fresh, created=created, status=201)


@router.post("/organisation/keys/{key_id}/delete", dependencies=[Depends(csrf_protect)])
async def delete_key(request: Request, user: CurrentUser, key_id: str) -> Response:
    _ = gettext_for(request)
    await request.app.state.apis.registry.delete(
        f"/partners/{user.partner_id}/api-keys/{key_id}", token=user.token
    )
    flash(request, _("The key is deleted: it gets no more tokens."), "success")
    return redirect("/organisation/keys")
