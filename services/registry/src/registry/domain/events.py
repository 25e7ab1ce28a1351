"""Domain events: facts inside the registry. adapters/publisher.py maps them to contracts."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PartnerEvent:
    """A change of a partner. A kind that carries nothing more is one line below: a
    subclass of a frozen dataclass is one too."""

    partner_id: str
    actor: str | None = None
    reason: str | None = None


class PartnerRegistered(PartnerEvent): ...


class PartnerApproved(PartnerEvent): ...


class PartnerRejected(PartnerEvent): ...


class PartnerSuspended(PartnerEvent): ...


class PartnerReinstated(PartnerEvent): ...


class PartnerWithdrawn(PartnerEvent): ...


@dataclass(frozen=True)
class PartnerUpdated(PartnerEvent):
    changed_fields: tuple[str, ...] = field(default_factory=tuple)


class PartnerSigningKeyRegistered(PartnerEvent): ...


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


@dataclass(frozen=True)
class PersonUpdated:
    """A person's account was created, changed role or status, or changed its notification
    preferences: published as the whole account (without any secret)."""

    user_id: str
