"""What monitoring is asked to do: by partner systems (reports), by the other services'
events (reference data) and by the clock (the sweep)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from monitoring.core.domain.acceptance import Reason
from monitoring.core.domain.corrections import Correction
from monitoring.core.domain.model import Commitment, Partner, Partnership, PartnershipTarget, Report
from monitoring.core.domain.ownership import EVERYTHING, Held

S = TypeVar("S", Partner, Partnership, Commitment, PartnershipTarget)


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
    #: its Kafka key, when it can name a partner or a commitment
    key: str | None = None


@dataclass(frozen=True)
class TakeReports:
    """A batch from the progress topic, in order."""

    reports: list[Report] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)
    #: what the taking instance held of the topic (ownership.py)
    held: Held = EVERYTHING


@dataclass(frozen=True)
class Record(Generic[S]):
    """Keep what another service said of one of its aggregates: its latest snapshot (the
    highest version wins)."""

    snapshot: S


RecordPartner = Record[Partner]
RecordPartnership = Record[Partnership]
RecordCommitment = Record[Commitment]
RecordPartnershipTarget = Record[PartnershipTarget]


@dataclass(frozen=True)
class SettleOwnedTargets:
    """Evaluate again the partnership targets this instance owns (ownership.py)."""

    held: Held


@dataclass(frozen=True)
class Sweep:
    """Run the clock-driven rules: expire parked reports, evaluate what was not evaluated
    today: of the commitments, those whose partner's partition is `held` (each instance
    sweeps what it takes the reports of); of the partnership targets, those it owns
    (ownership.py). `limit` bounds one transaction."""

    limit: int = 200
    held: Held = EVERYTHING


@dataclass(frozen=True)
class CorrectPeriod:
    """The secretariat's correction of one period (its time and author set by the caller,
    so that a rebuild re-applies it as it was)."""

    correction: Correction
