"""A partner's extra API keys: made (shown once), listed, deleted; and what a token for one
says (its scope)."""

from __future__ import annotations

from pact_common.clock import Clock
from pact_common.permissions import KeyScope
from pact_common.unit_of_work import retry_transient

from ..domain.account_errors import ApiKeyNotFound, TooManyKeys
from ..domain.api_keys import MAX_KEYS, ApiKey
from ..domain.errors import PartnerNotFound
from ..domain.model import is_closed
from .unit_of_work import UnitOfWork


@retry_transient
async def create_api_key(
    partner_id: str, label: str, scope: KeyScope, actor: str, uow: UnitOfWork, clock: Clock
) -> tuple[ApiKey, str]:
    async with uow:
        partner = await uow.partners.get(partner_id)
        if partner is None or is_closed(partner.status):
            raise PartnerNotFound(f"no partner {partner_id}", field="partner_id")
        if await uow.api_keys.count_of(partner_id) >= MAX_KEYS:
            raise TooManyKeys(f"a partner holds at most {MAX_KEYS} extra keys: delete one first")
        key, secret = ApiKey.issue(
            partner_id=partner_id, label=label, scope=scope, by=actor, at=clock()
        )
        await uow.api_keys.add(key)
        await uow.commit()
    return key, secret


@retry_transient
async def delete_api_key(partner_id: str, key_id: str, uow: UnitOfWork) -> None:
    """The key stops getting tokens at once; those it got end within their lifetime."""
    async with uow:
        if not await uow.api_keys.delete(partner_id, key_id):
            raise ApiKeyNotFound(f"partner {partner_id} has no key {key_id}", field="key_id")
        await uow.commit()
