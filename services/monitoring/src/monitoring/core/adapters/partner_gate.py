"""Who may use monitoring's HTTP API besides the secretariat: partners its read model knows to
be active. One it knows as pending, suspended, withdrawn or rejected is refused (403), even
with a token it got before; one it has not heard of yet passes, since its registry events
follow within moments and its reports are judged again when they are taken."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from monitoring.core.adapters.repository import PARTNERS
from monitoring.core.domain.errors import PartnerNotActive
from monitoring.core.domain.model import PartnerStatus, may_report
from pact_common.auth import Principal


class ActivePartnersOnly:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._partners = db[PARTNERS]

    async def __call__(self, principal: Principal) -> None:
        if principal.partner_id is None:
            return
        doc = await self._partners.find_one({"_id": principal.partner_id}, {"status": 1})
        if doc is not None and not may_report(PartnerStatus(doc["status"])):
            raise PartnerNotActive(
                f"partner {principal.partner_id} is {doc['status']}", field="authorization"
            )
