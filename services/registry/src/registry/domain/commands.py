"""What people ask the registry to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from .model import Profile


@dataclass(frozen=True)
class RegisterPartner:
    profile: Profile
    partnerships: list[str]
    principles_accepted: dict[str, bool]


@dataclass(frozen=True)
class ChangePartnerStatus:
    """approve, reject, suspend, reinstate or withdraw."""

    partner_id: str
    action: str
    actor: str
    reason: str | None = None


@dataclass(frozen=True)
class PurgePartner:
    """Remove a rejected registration (domain.identity)."""

    partner_id: str
    actor: str
    reason: str


@dataclass(frozen=True)
class UpdateProfile:
    partner_id: str
    changes: dict[str, Any]
    actor: str


@dataclass(frozen=True)
class JoinPartnership:
    partner_id: str
    partnership_id: str
    actor: str


@dataclass(frozen=True)
class LeavePartnership:
    partner_id: str
    partnership_id: str
    actor: str


@dataclass(frozen=True)
class RotateApiKey:
    partner_id: str
    actor: str


@dataclass(frozen=True)
class RotateWebhookSecret:
    partner_id: str
    actor: str
    #: how long the previous secret signs too (zero: it stops at once)
    overlap: timedelta


@dataclass(frozen=True)
class CreatePartnership:
    partnership_id: str
    name: str
    ecosystem: str
    description: str = ""
    actor: str | None = None


@dataclass(frozen=True)
class ProveApiKey:
    """Step-up: the caller shows its current API key beside its token."""

    #: whose key it must be (None: the secretariat's admin key)
    partner_id: str | None
    api_key: str | None = field(repr=False)


@dataclass(frozen=True)
class IssueToken:
    api_key: str = field(repr=False)
