"""What monitoring is asked to do: by partner systems (reports), by the other services'
events (reference data) and by the clock (the sweep)."""

from __future__ import annotations

from dataclasses import dataclass, field

from monitoring.core.domain.acceptance import Reason
from monitoring.core.domain.model import Commitment, Partner, Partnership, PartnershipTarget, Report


@dataclass(frozen=True)
class Unreadable:
    """A message on the progress topic that is not a valid report."""

    #: where it came from (topic/partition/offset): storing its rejection is idempotent
    source: str
    reason: Reason
    error: str
    payload: str
    payload_encoding: str = "utf-8"
    event_id: str | None = None
    partner_id: str | None = None
    commitment_id: str | None = None


@dataclass(frozen=True)
class TakeReports:
    """A batch from the progress topic, in order."""

    reports: list[Report] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)


@dataclass(frozen=True)
class RecordPartner:
    partner: Partner


@dataclass(frozen=True)
class RecordPartnership:
    partnership: Partnership


@dataclass(frozen=True)
class RecordCommitment:
    commitment: Commitment


@dataclass(frozen=True)
class RecordPartnershipTarget:
    target: PartnershipTarget


@dataclass(frozen=True)
class Sweep:
    """Run the clock-driven rules: expire parked reports, evaluate what was not evaluated
    today. `limit` bounds one transaction."""

    limit: int = 200
