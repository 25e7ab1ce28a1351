"""One small function per command: open the unit of work, load, call the domain, commit."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from pact_common.auth import Principal, Role, TokenIssuer
from pact_common.clock import Clock
from pact_common.unit_of_work import retry_transient

from ..domain import commands, identity
from ..domain.credentials import hash_api_key
from ..domain.errors import (
    ApiKeyRequired,
    DuplicatePartner,
    DuplicatePartnership,
    InvalidCredentials,
    PartnerNotAllowed,
    PartnerNotFound,
    UnknownPartnership,
)
from ..domain.model import Partner, may_get_token
from ..domain.partnership import Partnership
from .unit_of_work import UnitOfWork

T = TypeVar("T")
#: (partner id, version) -> that version of the partner's webhook secret
WebhookSecrets = Callable[[str, int], str]


@dataclass(frozen=True)
class Registered:
    partner_id: str
    api_key: str
    status: str
    #: the secret of the webhook registered with the partner, if one was
    webhook_secret: str | None = None


def issued_secret(partner: Partner, before: int, secrets: WebhookSecrets) -> str | None:
    """The webhook secret a change just issued (None: it issued none)."""
    if partner.webhook_secret_version == before:
        return None
    return secrets(partner.id, partner.webhook_secret_version)


async def _load(uow: UnitOfWork, partner_id: str) -> Partner:
    partner = await uow.partners.get(partner_id)
    if partner is None:
        raise PartnerNotFound(f"no partner {partner_id}", field="partner_id")
    return partner


async def _change(
    uow: UnitOfWork, partner_id: str, change: Callable[[Partner], T]
) -> tuple[Partner, T]:
    """Load the partner, make one change, and store it if the change made a new version
    (leaving a partnership it is not in makes none). Returns the partner and what the
    change returned."""
    async with uow:
        partner = await _load(uow, partner_id)
        version = partner.version
        outcome = change(partner)
        if partner.version != version:
            await uow.partners.save(partner)
            await uow.commit()
    return partner, outcome


async def _require_partnerships(uow: UnitOfWork, ids: list[str], field: str) -> None:
    for partnership_id in ids:
        if await uow.partnerships.get(partnership_id) is None:
            raise UnknownPartnership(f"no partnership {partnership_id}", field=field)


async def _refuse_duplicate(uow: UnitOfWork, partner: Partner, *, in_words: bool) -> None:
    """Refuse a partner whose name or an identifier another partner has already (a
    registration names that field in words, a profile update by its name)."""
    duplicate = await uow.partners.find_duplicate(partner)
    if duplicate is not None:
        field, existing = duplicate
        named = field.replace("_", " ") if in_words else field
        raise DuplicatePartner(
            f"partner {existing} is already registered with the same {named}",
            field=field,
            existing_partner_id=existing,
        )


@retry_transient
async def register_partner(
    cmd: commands.RegisterPartner, uow: UnitOfWork, clock: Clock, secrets: WebhookSecrets
) -> Registered:
    async with uow:
        partner, api_key = Partner.register(
            cmd.profile,
            partnerships=cmd.partnerships,
            principles_accepted=cmd.principles_accepted,
            at=clock(),
        )
        await _require_partnerships(uow, partner.partnerships, "partnerships")
        await _refuse_duplicate(uow, partner, in_words=True)
        await uow.partners.add(partner)
        await uow.commit()
    secret = issued_secret(partner, 0, secrets)
    return Registered(partner.id, api_key, partner.status.value, secret)


@retry_transient
async def change_status(
    cmd: commands.ChangePartnerStatus, uow: UnitOfWork, clock: Clock
) -> Partner:
    partner, _ = await _change(
        uow,
        cmd.partner_id,
        lambda p: p.transition(cmd.action, actor=cmd.actor, reason=cmd.reason, at=clock()),
    )
    return partner


@retry_transient
async def purge_partner(cmd: commands.PurgePartner, uow: UnitOfWork, clock: Clock) -> None:
    async with uow:
        partner = await _load(uow, cmd.partner_id)
        identity.purge(partner, actor=cmd.actor, reason=cmd.reason, at=clock())
        await uow.partners.delete(partner)
        await uow.commit()


@retry_transient
async def update_profile(
    cmd: commands.UpdateProfile, uow: UnitOfWork, clock: Clock, secrets: WebhookSecrets
) -> str | None:
    """Returns the new webhook secret when the change set a webhook URL."""
    async with uow:
        partner = await _load(uow, cmd.partner_id)
        before = partner.webhook_secret_version
        if partner.update_profile(cmd.changes, actor=cmd.actor, at=clock()):
            await _refuse_duplicate(uow, partner, in_words=False)
            await uow.partners.save(partner)
            await uow.commit()
    return issued_secret(partner, before, secrets)


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
    partner, _ = await _change(
        uow, cmd.partner_id, lambda p: p.leave(cmd.partnership_id, actor=cmd.actor, at=clock())
    )
    return partner


@retry_transient
async def rotate_api_key(cmd: commands.RotateApiKey, uow: UnitOfWork, clock: Clock) -> str:
    _, api_key = await _change(
        uow, cmd.partner_id, lambda p: p.rotate_api_key(actor=cmd.actor, at=clock())
    )
    return api_key


@retry_transient
async def rotate_webhook_secret(
    cmd: commands.RotateWebhookSecret, uow: UnitOfWork, clock: Clock, secrets: WebhookSecrets
) -> tuple[Partner, str]:
    partner, version = await _change(
        uow,
        cmd.partner_id,
        lambda p: p.rotate_webhook_secret(actor=cmd.actor, at=clock(), overlap=cmd.overlap),
    )
    return partner, secrets(partner.id, version)


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
        extra = None if partner_id else await uow.api_keys.by_hash(hash_api_key(cmd.api_key))
        partner_id = partner_id or (extra.partner_id if extra else None)
        partner = await uow.partners.get(partner_id) if partner_id else None
    if partner is None:
        raise InvalidCredentials("unknown API key", field="api_key")
    if not may_get_token(partner.status):
        raise PartnerNotAllowed(f"partner {partner.id} is {partner.status.value}", field="status")
    principal = Principal(
        extra.id if extra else partner.id,
        Role.PARTNER,
        partner.id,
        partner.credential_version,
        key_scope=extra.scope if extra else None,
    )
    return issuer.issue(principal), principal


async def prove_api_key(cmd: commands.ProveApiKey, uow: UnitOfWork, admin_api_key: str) -> None:
    """Step-up: refuse unless the caller's current API key comes with its token."""
    if not cmd.api_key:
        raise ApiKeyRequired(
            "this change needs the caller's current API key in X-Api-Key, beside the token",
            field="x-api-key",
        )
    if cmd.partner_id is None:
        held = hmac.compare_digest(cmd.api_key.encode(), admin_api_key.encode())
    else:
        async with uow:
            partner = await uow.partners.get(cmd.partner_id)
        held = partner is not None and partner.holds_key(cmd.api_key)
    if not held:
        raise ApiKeyRequired("X-Api-Key is not the caller's current API key", field="x-api-key")
