"""One small function per command: open the unit of work, load, call the domain, commit."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from pact_common.auth import Principal, Role, TokenIssuer
from pact_common.clock import Clock
from pact_common.unit_of_work import retry_transient

from ..domain import commands
from ..domain.errors import (
    DuplicatePartner,
    DuplicatePartnership,
    InvalidCredentials,
    PartnerNotAllowed,
    PartnerNotFound,
    PartnershipNotFound,
)
from ..domain.model import Partner, Partnership, hash_api_key
from .unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Registered:
    partner_id: str
    api_key: str
    status: str


async def _load(uow: UnitOfWork, partner_id: str) -> Partner:
    partner = await uow.partners.get(partner_id)
    if partner is None:
        raise PartnerNotFound(f"no partner {partner_id}", field="partner_id")
    return partner


async def _require_partnerships(uow: UnitOfWork, ids: list[str], field: str) -> None:
    for partnership_id in ids:
        if await uow.partnerships.get(partnership_id) is None:
            raise PartnershipNotFound(f"no partnership {partnership_id}", field=field)


@retry_transient
async def register_partner(
    cmd: commands.RegisterPartner, uow: UnitOfWork, clock: Clock
) -> Registered:
    async with uow:
        partner, api_key = Partner.register(
            cmd.profile,
            partnerships=cmd.partnerships,
            principles_accepted=cmd.principles_accepted,
            at=clock(),
        )
        await _require_partnerships(uow, partner.partnerships, "partnerships")
        duplicate = await uow.partners.find_duplicate(partner)
        if duplicate is not None:
            field, existing = duplicate
            raise DuplicatePartner(
                f"partner {existing} is already registered with the same {field.replace('_', ' ')}",
                field=field,
                existing_partner_id=existing,
            )
        await uow.partners.add(partner)
        await uow.commit()
    return Registered(partner.id, api_key, partner.status.value)


@retry_transient
async def change_status(
    cmd: commands.ChangePartnerStatus, uow: UnitOfWork, clock: Clock
) -> Partner:
    async with uow:
        partner = await _load(uow, cmd.partner_id)
        partner.transition(cmd.action, actor=cmd.actor, reason=cmd.reason, at=clock())
        await uow.partners.save(partner)
        await uow.commit()
    return partner


@retry_transient
async def update_profile(cmd: commands.UpdateProfile, uow: UnitOfWork, clock: Clock) -> Partner:
    async with uow:
        partner = await _load(uow, cmd.partner_id)
        if partner.update_profile(cmd.changes, actor=cmd.actor, at=clock()):
            duplicate = await uow.partners.find_duplicate(partner)
            if duplicate is not None:
                field, existing = duplicate
                raise DuplicatePartner(
                    f"partner {existing} is already registered with the same {field}",
                    field=field,
                    existing_partner_id=existing,
                )
            await uow.partners.save(partner)
            await uow.commit()
    return partner


@retry_transient
async def join_partnership(cmd: commands.JoinPartnership, uow: UnitOfWork, clock: Clock) -> Partner:
    async with uow:
        partner = await _load(uow, cmd.partner_id)
        await _require_partnerships(uow, [cmd.partnership_id], "partnership_id")
        if partner.join(cmd.partnership_id, actor=cmd.actor, at=clock()):
            await uow.partners.save(partner)
            await uow.commit()
    return partner


@retry_transient
async def leave_partnership(
    cmd: commands.LeavePartnership, uow: UnitOfWork, clock: Clock
) -> Partner:
    async with uow:
        partner = await _load(uow, cmd.partner_id)
        if partner.leave(cmd.partnership_id, actor=cmd.actor, at=clock()):
            await uow.partners.save(partner)
            await uow.commit()
    return partner


@retry_transient
async def rotate_api_key(cmd: commands.RotateApiKey, uow: UnitOfWork, clock: Clock) -> str:
    async with uow:
        partner = await _load(uow, cmd.partner_id)
        api_key = partner.rotate_api_key(actor=cmd.actor, at=clock())
        await uow.partners.save(partner)
        await uow.commit()
    return api_key


@retry_transient
async def create_partnership(
    cmd: commands.CreatePartnership, uow: UnitOfWork, clock: Clock
) -> Partnership:
    async with uow:
        if await uow.partnerships.get(cmd.partnership_id) is not None:
            raise DuplicatePartnership(
                f"partnership {cmd.partnership_id} exists already", field="id"
            )
        partnership = Partnership.create(
            cmd.partnership_id,
            cmd.name,
            cmd.ecosystem,
            cmd.description,
            actor=cmd.actor,
            at=clock(),
        )
        await uow.partnerships.add(partnership)
        await uow.commit()
    return partnership


async def issue_token(
    cmd: commands.IssueToken, uow: UnitOfWork, issuer: TokenIssuer, admin_api_key: str
) -> tuple[str, Principal]:
    """An API key (a partner's, or the secretariat's admin key) for a short-lived token."""
    if hmac.compare_digest(cmd.api_key.encode(), admin_api_key.encode()):
        principal = Principal(subject="secretariat", role=Role.SECRETARIAT)
        return issuer.issue(principal), principal
    async with uow:
        partner_id = await uow.partners.id_by_api_key_hash(hash_api_key(cmd.api_key))
        partner = await uow.partners.get(partner_id) if partner_id else None
    if partner is None:
        raise InvalidCredentials("unknown API key", field="api_key")
    if not partner.status.may_get_token:
        raise PartnerNotAllowed(f"partner {partner.id} is {partner.status.value}", field="status")
    principal = Principal(subject=partner.id, role=Role.PARTNER, partner_id=partner.id)
    return issuer.issue(principal), principal
