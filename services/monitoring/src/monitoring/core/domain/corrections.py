"""The secretariat's correction of one period's figures: how a forged or mistaken report is
undone. A partner's report needs a revision above the period's, so one report at revision
1,000,000 (sent with a shared or stolen login) would lock the period for good; a correction
sets the period's figures and revision (or clears the period), whatever was reported, and
keeps what it replaced, who made it, when and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from monitoring.core.domain.figures import Figures
from monitoring.core.domain.progress import PeriodEntry


@dataclass(frozen=True)
class Correction:
    correction_id: str
    commitment_id: str
    period: str
    #: the period's revision after it (0 when cleared): the partner's next report is above it
    revision: int
    #: the period's figures after it; None clears the period, as if it had never been reported
    figures: Figures | None
    reason: str
    #: who made it (the secretariat's principal)
    by: str
    at: datetime
    #: the period as it was, filled in when the correction is made
    before: PeriodEntry | None = None

    @property
    def event_id(self) -> str:
        """What the period's entry names as its source."""
        return f"correction:{self.correction_id}"
