"""The organisation's people (or, for an administrator, the secretariat's and anyone's):
who has an account, inviting someone with a role, changing a role, disabling an account.
The invitation link is shown to copy and send; the registry keeps only its hash."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from ..adapters.api import ApiError
from ..i18n import gettext_for
from ..rendering import flash, render
from ..session import CurrentUser, SignedIn, csrf_protect
from .choices import PARTNER_ROLES, ROLE_NAMES, SECRETARIAT_ROLES, USER_STATUSES
from .forms import redirect

router = APIRouter(include_in_schema=False)


def _roles(user: SignedIn) -> dict[str, str]:
    return {**SECRETARIAT_ROLES, **PARTNER_ROLES} if user.is_admin else dict(PARTNER_ROLES)


async def _people(request: Request, user: SignedIn) -> list[dict[str, Any]]:
    params = {"partner_id": user.partner_id} if user.partner_id else {}
    page = await request.app.state.apis.registry.get("/users", token=user.token, params=params)
    people: list[dict[str, Any]] = page.get("items", [])
    return people


async def _partners(request: Request, user: SignedIn) -> dict[str, str]:
    """For an administrator: the partners one may invite people into (id -> legal name)."""
    if not user.is_admin:
        return {}
    page = await request.app.state.apis.registry.get(
        "/partners", token=user.token, params={"status": "active", "limit": 200}
    )
    return {p["id"]: p["legal_name"] for p in page.get("items", [])}


async def _page(
    request: Request,
    user: SignedIn,
    *,
    errors: dict[str, str] | None = None,
    invitation: dict[str, Any] | None = None,
    values: dict[str, str] | None = None,
    mailed: bool | None = None,
    status: int = 200,
) -> Response:
    partners = await _partners(request, user)
    response = render(
        request,
        "identity/people.html",
        status_code=status,
        people=await _people(request, user),
        roles=_roles(user),
        role_names=ROLE_NAMES,
        user_statuses=USER_STATUSES,
        partners=partners,
        errors=errors or {},
        values=values or {},
        invitation=invitation,
        invitation_link=_link(request, invitation) if invitation else None,
        mailed=mailed,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _may_manage(request: Request, user: SignedIn) -> Response | None:
    if user.manages_people:
        return None
    _ = gettext_for(request)
    message = _("Only a coordinator or an administrator manages people.")
    return render(request, "error.html", status_code=403, title=_("Not allowed"), message=message)


@router.get("/organisation/people")
async def people_page(request: Request, user: CurrentUser) -> Response:
    return _may_manage(request, user) or await _page(request, user)


@router.post("/organisation/people/invite", dependencies=[Depends(csrf_protect)])
async def invite(
    request: Request,
    user: CurrentUser,
    email: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    partner_id: Annotated[str, Form()] = "",
) -> Response:
    if refused := _may_manage(request, user):
        return refused
    _ = gettext_for(request)
    values = {"email": email, "role": role, "partner_id": partner_id}
    if not email.strip():
        return await _page(
            request, user, errors={"email": _("Enter an email address.")}, values=values, status=422
        )
    target = user.partner_id or (partner_id or None)
    if role in SECRETARIAT_ROLES:
        target = None
    body = {"email": email.strip(), "role": role, "partner_id": target}
    try:
        invitation = await request.app.state.apis.registry.post(
            "/invitations", token=user.token, json=body
        )
    except ApiError as exc:
        if exc.status not in (403, 409, 422):
            raise
        field = exc.field if exc.field in ("email", "role", "partner_id") else "email"
        message = exc.message
        if exc.code == "user_exists":
            message = _("Someone already has an account with this email.")
        return await _page(request, user, errors={field: message}, values=values, status=exc.status)
    flash(request, _("Invitation made for %(email)s.", email=body["email"]), "success")
    mailed = await _mail(request, user, invitation)
    return await _page(request, user, invitation=invitation, mailed=mailed, status=201)


async def _mail(request: Request, user: SignedIn, invitation: dict[str, Any]) -> bool | None:
    """Send the link by email when there is a mail server; None when there is none."""
    mailer = request.app.state.mailer
    if not mailer.enabled:
        return None
    _ = gettext_for(request)
    link = _link(request, invitation)
    subject = _("Your invitation to the Pact for Skills portal")
    body = _(
        "%(name)s invites you to the Pact for Skills portal as %(role)s.\n\n"
        "Open this link to choose your password (it works once, until %(until)s):\n%(link)s\n",
        name=user.name,
        role=_(ROLE_NAMES.get(invitation["role"], invitation["role"])),
        until=str(invitation["expires_at"])[:16].replace("T", " "),
        link=link,
    )
    sent: bool = await mailer.send(invitation["email"], subject, body)
    return sent


def _link(request: Request, invitation: dict[str, Any]) -> str:
    base = request.app.state.settings.public_url.rstrip("/")
    return f"{base}/invitations/{invitation['token']}"


@router.post("/organisation/people/{user_id}", dependencies=[Depends(csrf_protect)])
async def change(
    request: Request,
    user: CurrentUser,
    user_id: str,
    role: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "",
) -> Response:
    if refused := _may_manage(request, user):
        return refused
    _ = gettext_for(request)
    changes = {key: value for key, value in (("role", role), ("status", status)) if value}
    try:
        await request.app.state.apis.registry.patch(
            f"/users/{user_id}", token=user.token, json=changes
        )
    except ApiError as exc:
        if exc.status not in (403, 404, 409, 422):
            raise
        message = exc.message
        if exc.code == "last_coordinator":
            message = _("The organisation must keep at least one active coordinator.")
        flash(request, message, "error")
        return redirect("/organisation/people")
    flash(request, _("The change is saved."), "success")
    return redirect("/organisation/people")
