"""What commitments knows of partners: the registry's latest snapshot of each, kept from
`registry.partner-events.v1` (no call to the registry)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pact_common.versions import is_newer


class PartnerStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"

    @property
    def closed(self) -> bool:
        """Withdrawn or rejected, for good: the partner's open commitments are withdrawn."""
        return self in (PartnerStatus.WITHDRAWN, PartnerStatus.REJECTED)

    @property
    def refused(self) -> bool:
        """A partner whose requests are refused (403) whatever they are."""
        return self in (PartnerStatus.SUSPENDED, PartnerStatus.WITHDRAWN)

    @property
    def may_pledge(self) -> bool:
        return self is PartnerStatus.ACTIVE


@dataclass(frozen=True)
class PartnerView:
    """The registry's latest known snapshot of a partner, as far as commitments cares."""

    partner_id: str
    version: int
    status: PartnerStatus
    partnerships: tuple[str, ...] = ()

    @property
    def refused(self) -> bool:
        return self.status.refused

    def supersedes(self, current: PartnerView | None) -> bool:
        """Whether to keep this snapshot instead of `current`: the highest version wins, so
        duplicated and reordered partner events converge on the registry's latest."""
        return is_newer(self.version, current.version if current else None)

    def changes_status_of(self, before: PartnerView | None) -> bool:
        """Whether the partner's effective status changes, so its commitments must follow."""
        return before is None or before.status is not self.status


@dataclass(frozen=True)
class PartnershipView:
    """A partnership the registry created."""

    partnership_id: str
    name: str
    ecosystem: str
