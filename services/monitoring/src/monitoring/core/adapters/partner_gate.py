"""Who may use monitoring's HTTP API besides the secretariat: partners its read model knows
to be active, with a token no older than their credentials (pact_common.auth's
require_standing). One it knows as pending, suspended, withdrawn or rejected is refused
(403), even with a token it got before; one it has not heard of is refused too (403
unknown_partner): monitoring cannot tell it is active, and the registry's events reach it
moments after a registration, long before an approval."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from monitoring.core.adapters.repository import PARTNERS
from monitoring.core.domain.model import PartnerStatus, may_report
from pact_common.auth import Principal, Standing, require_standing

#: the statuses whose partners monitoring answers
ANSWERED = frozenset(s for s in PartnerStatus if may_report(s))


class ActivePartnersOnly:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._partners = db[PARTNERS]

    async def __call__(self, principal: Principal) -> None:
        if principal.partner_id is None:
            return
        doc = await self._partners.find_one(
            {"_id": principal.partner_id}, {"status": 1, "credential_version": 1}
        )
        known = (
            Standing(PartnerStatus(doc["status"]), doc.get("credential_version", 1))
            if doc is not None
            else None
        )
        require_standing(principal, known, answered=ANSWERED)
