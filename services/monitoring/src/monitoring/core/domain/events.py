"""Domain events: facts inside monitoring. adapters/publisher.py maps them to contracts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .acceptance import Reason
    from .alerting import Alert


@dataclass(frozen=True)
class AlertFired:
    alert: Alert


@dataclass(frozen=True)
class AlertResolved:
    alert: Alert


@dataclass(frozen=True)
class ReportRejected:
    """A progress report refused; kept for its partner to list, and published."""

    rejection_id: str
    reason: Reason
    message: str
    field: str | None
    rejected_at: datetime
    payload: str
    payload_encoding: str = "utf-8"
    event_id: str | None = None
    partner_id: str | None = None
    commitment_id: str | None = None
    period: str | None = None


DomainEvent = AlertFired | AlertResolved | ReportRejected


@dataclass
class Refusals:
    """What one unit of work refused: its ReportRejected events, to store and publish."""

    id = "refusals"
    events: list[DomainEvent] = field(default_factory=list)
