"""Domain events: facts inside the registry. adapters/publisher.py maps them to contracts."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PartnerEvent:
    partner_id: str
    actor: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class PartnerRegistered(PartnerEvent):
    pass


@dataclass(frozen=True)
class PartnerApproved(PartnerEvent):
    pass


@dataclass(frozen=True)
class PartnerRejected(PartnerEvent):
    pass


@dataclass(frozen=True)
class PartnerSuspended(PartnerEvent):
    pass


@dataclass(frozen=True)
class PartnerReinstated(PartnerEvent):
    pass


@dataclass(frozen=True)
class PartnerWithdrawn(PartnerEvent):
    pass


@dataclass(frozen=True)
class PartnerUpdated(PartnerEvent):
    changed_fields: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class PartnerSigningKeyRegistered(PartnerEvent):
    pass


@dataclass(frozen=True)
class PartnerJoinedPartnership(PartnerEvent):
    partnership_id: str = ""


@dataclass(frozen=True)
class PartnerLeftPartnership(PartnerEvent):
    partnership_id: str = ""


@dataclass(frozen=True)
class PartnershipCreated:
    partnership_id: str
    actor: str | None = None
