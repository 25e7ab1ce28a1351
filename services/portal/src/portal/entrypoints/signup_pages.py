"""Organisation sign-up: the registration, the four charter principles and the first
coordinator's account in one form. The registry keeps the organisation pending until the
secretariat approves it; its API key is shown once, here."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ..adapters.api import ApiError
from ..i18n import Gettext, gettext_for
from ..rendering import render
from ..session import OptionalUser, csrf_protect, sign_in
from .choices import (
    COUNTRY_NAMES,
    ORGANISATION_TYPES,
    PRINCIPLES,
    SIZE_CLASSES,
    password_problem,
)
from .forms import field_errors

router = APIRouter(include_in_schema=False)

TEXT_FIELDS = ("legal_name", "organisation_type", "size_class", "hq_country", "website", "vat")
PERSON_FIELDS = ("name", "email")
#: the registry's field -> the form's (the coordinator is the organisation's contact)
FIELD_OF = {"contact_name": "name", "contact_email": "email", "principles": "principles"}


def _page(
    request: Request, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Response:
    return render(
        request,
        "identity/sign_up.html",
        status_code=status,
        values=values,
        errors=errors,
        organisation_types=ORGANISATION_TYPES,
        size_classes=SIZE_CLASSES,
        countries=COUNTRY_NAMES,
        principles=PRINCIPLES,
    )


@router.get("/sign-up")
async def sign_up_page(request: Request, user: OptionalUser) -> Response:
    return _page(request, {"countries": [], "principles": []}, {})


def _check(form: dict[str, Any], _: Gettext) -> dict[str, str]:
    errors: dict[str, str] = {}
    required = {
        "legal_name": _("Enter the organisation's legal name."),
        "organisation_type": _("Choose the kind of organisation."),
        "hq_country": _("Choose the country of the headquarters."),
        "name": _("Enter your name."),
        "email": _("Enter your email address."),
    }
    for name, message in required.items():
        if not form.get(name):
            errors[name] = message
    if set(form["principles"]) != set(PRINCIPLES):
        errors["principles"] = _("Every principle of the charter must be accepted.")
    problem = password_problem(form["password"], form.get("email", ""))
    if problem:
        errors["password"] = _(problem)
    return errors


@router.post("/sign-up", dependencies=[Depends(csrf_protect)])
async def sign_up_submit(request: Request) -> Response:
    _ = gettext_for(request)
    data = await request.form()
    form: dict[str, Any] = {
        name: str(data.get(name) or "").strip() for name in (*TEXT_FIELDS, *PERSON_FIELDS)
    }
    form["countries"] = [str(c) for c in data.getlist("countries") if str(c) in COUNTRY_NAMES]
    form["principles"] = [str(p) for p in data.getlist("principles") if str(p) in PRINCIPLES]
    form["password"] = str(data.get("password") or "")
    errors = _check(form, _)
    if errors:
        return _page(request, form, errors, 422)
    registry = request.app.state.apis.registry
    try:
        partner = await registry.post("/partners", json=_registration(form))
    except ApiError as exc:
        if exc.status >= 500:
            raise
        errors = field_errors(_renamed(exc), {*TEXT_FIELDS, *PERSON_FIELDS, "principles"})
        return _page(request, form, errors, 409 if exc.status == 409 else 422)
    person = {"email": form["email"], "name": form["name"], "password": form["password"]}
    user_error = ""
    try:
        await registry.post(
            f"/partners/{partner['partner_id']}/users/first",
            json=person,
            headers={"X-Api-Key": partner["api_key"]},
        )
        token = await registry.post(
            "/auth/password", json={"email": form["email"], "password": form["password"]}
        )
        sign_in(request, token)
    except ApiError as exc:
        if exc.status >= 500:
            raise
        user_error = exc.message
    response = render(
        request,
        "identity/signed_up.html",
        status_code=201,
        legal_name=form["legal_name"],
        partner_id=partner["partner_id"],
        api_key=partner["api_key"],
        user_error=user_error,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _renamed(exc: ApiError) -> ApiError:
    field = (exc.field or "").split(".")[0]
    return ApiError(exc.status, exc.code, FIELD_OF.get(field, field), exc.message)


def _registration(form: dict[str, Any]) -> dict[str, Any]:
    """The registry's `Registration` body; the coordinator is the organisation's contact."""
    body: dict[str, Any] = {
        "legal_name": form["legal_name"],
        "organisation_type": form["organisation_type"],
        "hq_country": form["hq_country"],
        "countries": form["countries"] or [form["hq_country"]],
        "contact_name": form["name"],
        "contact_email": form["email"],
        "principles": dict.fromkeys(PRINCIPLES, True),
    }
    for optional in ("size_class", "website", "vat"):
        if form.get(optional):
            body[optional] = form[optional]
    return body
