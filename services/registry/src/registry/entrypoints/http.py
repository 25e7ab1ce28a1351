"""The registry's HTTP API. Thin: parse, build a command, call a handler, shape the answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status

from pact_common.http import Limit, Offset, problems
from pact_common.mongo import matching
from pact_common.paging import After, cursor, parse_cursor
from pact_common.permissions import Permission
from pact_contracts.vocabulary import CountryCode, OrganisationType, PartnerStatus

from ..adapters.views import PARTNER_ORDER
from ..domain import commands
from ..domain.errors import PartnerNotFound
from ..domain.model import Profile, Status
from ..service_layer import handlers
from . import schemas as s
from .services import Services, Svc, unit_of_work
from .trust import (
    STEP_UP_FIELDS,
    CurrentApiKey,
    CurrentPrincipal,
    require_api_key,
    require_directory_reader,
    shown_to,
)

router = APIRouter()


@router.post(
    "/partners",
    status_code=status.HTTP_201_CREATED,
    response_model=s.RegisteredPartner,
    tags=["partners"],
    responses=problems(404, 409, 413, 422),
)
async def register(body: s.Registration, svc: Svc) -> s.RegisteredPartner:
    """Self-registration. The API key in the answer is shown once."""
    profile = Profile(
        legal_name=body.legal_name,
        organisation_type=body.organisation_type.value,
        size_class=body.size_class.value if body.size_class else None,
        hq_country=body.hq_country,
        countries=tuple(dict.fromkeys(body.countries)),
        contact_name=body.contact_name,
        contact_email=str(body.contact_email),
        website=body.website,
        vat=body.vat,
        euid=body.euid,
        pic=body.pic,
        webhook_url=body.webhook_url,
        signing_public_key=body.signing_public_key,
    )
    cmd = commands.RegisterPartner(profile, list(body.partnerships), body.principles.model_dump())
    done = await handlers.register_partner(cmd, unit_of_work(svc), svc.clock, svc.webhook_secrets)
    return s.RegisteredPartner(
        partner_id=done.partner_id,
        status=done.status,
        api_key=done.api_key,
        webhook_secret=done.webhook_secret,
    )


@router.get(
    "/partners",
    response_model=s.PartnerPage,
    tags=["partners"],
    responses=problems(401, 403, 422),
)
async def list_partners(
    request: Request,
    svc: Svc,
    principal: CurrentPrincipal,
    status_: Annotated[PartnerStatus | None, Query(alias="status")] = None,
    type_: Annotated[OrganisationType | None, Query(alias="type")] = None,
    country: CountryCode | None = None,
    partnership: str | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
    after: After = None,
) -> s.PartnerPage:
    """Partners in registration order (stable). Contact details only for the secretariat.
    Active partners read it (seeing other partners while these are active), the secretariat
    too; a pending partner reads its own registration only (403)."""
    await require_directory_reader(request, principal)
    where = matching(  # an empty ?partnership= lists every partner
        status=status_, organisation_type=type_, countries=country, partnerships=partnership or None
    )
    if shown := shown_to(principal):
        where = {"$and": [where, shown]} if where else shown
    total, docs = await svc.views.partners(
        where, offset, limit, parse_cursor(after) if after else None
    )
    items = [
        s.PartnerOut.from_doc(d, full=principal.is_secretariat or principal.partner_id == d["_id"])
        for d in docs
    ]
    more = cursor(docs[-1], PARTNER_ORDER) if len(docs) == limit else None
    return s.PartnerPage(total=total, offset=offset, limit=limit, items=items, next=more)


async def partner_doc(svc: Services, partner_id: str) -> dict[str, Any]:
    doc = await svc.views.partner(partner_id)
    if doc is None:
        raise PartnerNotFound(f"no partner {partner_id}", field="partner_id")
    return doc


@router.get(
    "/partners/{partner_id}",
    response_model=s.PartnerOut,
    tags=["partners"],
    responses=problems(401, 403, 404),
)
async def get_partner(
    request: Request, partner_id: str, svc: Svc, principal: CurrentPrincipal
) -> s.PartnerOut:
    """A partner's registration: its own, any to the secretariat, another active one (without
    its contact details) to an active partner; another that is not active is not found."""
    full = principal.is_secretariat or principal.partner_id == partner_id
    if not full:
        await require_directory_reader(request, principal)
    doc = await partner_doc(svc, partner_id)
    if not full and doc["status"] != Status.ACTIVE.value:
        raise PartnerNotFound(f"no partner {partner_id}", field="partner_id")
    return s.PartnerOut.from_doc(doc, full=full)


@router.get(
    "/partners/{partner_id}/history",
    response_model=list[s.HistoryEntry],
    tags=["partners"],
    responses=problems(401, 403, 404),
)
async def history(partner_id: str, svc: Svc, principal: CurrentPrincipal) -> list[s.HistoryEntry]:
    """The audit trail: every transition with who, when and why."""
    principal.require_partner_or_secretariat(partner_id)
    await partner_doc(svc, partner_id)
    return [s.HistoryEntry.model_validate(d) for d in await svc.views.history(partner_id)]


@router.patch(
    "/partners/{partner_id}",
    response_model=s.UpdatedPartner,
    tags=["partners"],
    responses=problems(401, 403, 404, 409, 413, 422),
)
async def update_partner(
    request: Request,
    partner_id: str,
    body: s.ProfileChanges,
    svc: Svc,
    principal: CurrentPrincipal,
    api_key: CurrentApiKey = None,
) -> s.UpdatedPartner:
    """A partner updates its own profile (not its status). Setting a webhook_url issues the
    webhook a new secret, answered once as webhook_secret. A body naming webhook_url or
    signing_public_key needs the caller's current API key in X-Api-Key."""
    principal.require_partner_or_secretariat(partner_id)
    principal.require(Permission.MANAGE_ORGANISATION)
    changes = body.model_dump(exclude_unset=True, mode="json")  # null clears a field
    if any(name in changes for name in STEP_UP_FIELDS):
        await require_api_key(request, principal, api_key)
    if "countries" in changes:
        changes["countries"] = tuple(dict.fromkeys(changes["countries"]))
    cmd = commands.UpdateProfile(partner_id, changes, principal.actor)
    secret = await handlers.update_profile(cmd, unit_of_work(svc), svc.clock, svc.webhook_secrets)
    doc = await partner_doc(svc, partner_id)
    updated = s.UpdatedPartner.from_doc(doc, full=True)
    return updated.model_copy(update={"webhook_secret": secret})


@router.post(
    "/partners/{partner_id}/partnerships",
    response_model=s.PartnerOut,
    tags=["partnerships"],
    responses=problems(401, 403, 404, 409, 413, 422),
)
async def join(
    partner_id: str, body: s.JoinRequest, svc: Svc, principal: CurrentPrincipal
) -> s.PartnerOut:
    principal.require_partner_or_secretariat(partner_id)
    principal.require(Permission.MANAGE_ORGANISATION)
    cmd = commands.JoinPartnership(partner_id, body.partnership_id, principal.actor)
    await handlers.join_partnership(cmd, unit_of_work(svc), svc.clock)
    return s.PartnerOut.from_doc(await partner_doc(svc, partner_id), full=True)


@router.delete(
    "/partners/{partner_id}/partnerships/{partnership_id}",
    response_model=s.PartnerOut,
    tags=["partnerships"],
    responses=problems(401, 403, 404),
)
async def leave(
    partner_id: str, partnership_id: str, svc: Svc, principal: CurrentPrincipal
) -> s.PartnerOut:
    principal.require_partner_or_secretariat(partner_id)
    principal.require(Permission.MANAGE_ORGANISATION)
    cmd = commands.LeavePartnership(partner_id, partnership_id, principal.actor)
    await handlers.leave_partnership(cmd, unit_of_work(svc), svc.clock)
    return s.PartnerOut.from_doc(await partner_doc(svc, partner_id), full=True)


@router.post(
    "/partnerships",
    status_code=status.HTTP_201_CREATED,
    response_model=s.PartnershipOut,
    tags=["partnerships"],
    responses=problems(401, 403, 409, 413, 422),
)
async def create_partnership(
    body: s.NewPartnership, svc: Svc, principal: CurrentPrincipal
) -> s.PartnershipOut:
    """Secretariat: a new skills partnership."""
    principal.require(Permission.MANAGE_PARTNERS)
    cmd = commands.CreatePartnership(
        body.id, body.name, body.ecosystem, body.description, principal.actor
    )
    p = await handlers.create_partnership(cmd, unit_of_work(svc), svc.clock)
    return s.PartnershipOut(
        id=p.id,
        name=p.name,
        ecosystem=p.ecosystem,
        description=p.description,
        created_at=p.created_at,
    )


@router.get("/partnerships", response_model=list[s.PartnershipOut], tags=["partnerships"])
async def list_partnerships(svc: Svc) -> list[s.PartnershipOut]:
    return [
        s.PartnershipOut.model_validate(d | {"id": d["_id"]})
        for d in await svc.views.partnerships()
    ]


@router.post(
    "/auth/token",
    response_model=s.Token,
    tags=["credentials"],
    responses=problems(401, 403, 413, 422),
)
async def token(body: s.TokenRequest, svc: Svc) -> s.Token:
    """Exchange an API key (a partner's, or the secretariat's admin key) for a short-lived
    EdDSA-signed token that every service accepts."""
    jwt, principal = await handlers.issue_token(
        commands.IssueToken(body.api_key), unit_of_work(svc), svc.issuer, svc.admin_api_key
    )
    return s.Token(
        access_token=jwt,
        expires_in=int(svc.issuer.ttl.total_seconds()),
        role=principal.role.value,
        partner_id=principal.partner_id,
    )


@router.get("/auth/public-key", tags=["credentials"])
async def public_key(request: Request) -> dict[str, str]:
    """The PEM public key that verifies the registry's tokens."""
    return {
        "algorithm": "EdDSA",
        "public_key_pem": request.app.state.runtime.settings.jwt_public_key,
    }
