"""What commitments knows of partners: the registry's latest snapshot of each, kept from
`registry.partner-events.v1` (no call to the registry)."""

from __future__ import annotations

from dataclasses import dataclass

from pact_common.versions import is_newer
from pact_common.vocabulary import PartnerStatus as PartnerStatus  # the shared vocabulary


def is_closed(status: PartnerStatus) -> bool:
    """Withdrawn or rejected, for good: the partner's open commitments are withdrawn."""
    return status in (PartnerStatus.WITHDRAWN, PartnerStatus.REJECTED)


#: the partners whose requests commitments answers: active ones, and pending ones (their own
#: commitments, none yet: a pledge is refused as partner_not_active). Suspended, withdrawn and
#: rejected partners are refused (403) whatever they ask.
ANSWERED = frozenset({PartnerStatus.PENDING, PartnerStatus.ACTIVE})


def may_pledge(status: PartnerStatus) -> bool:
    return status is PartnerStatus.ACTIVE


@dataclass(frozen=True)
class PartnerView:
    """The registry's latest known snapshot of a partner, as far as commitments cares."""

    partner_id: str
    version: int
    status: PartnerStatus
    partnerships: tuple[str, ...] = ()
    #: the registry's credential version: tokens issued before it are refused
    credential_version: int = 1

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
