"""Silences and inhibition: which alerts are not delivered now, on any channel. Pure.

- A **silence** matches alerts by rule, severity, partner, commitment and partnership (each
  matcher left out matches any) from `starts_at` until `ends_at`; expiring it by hand ends it
  now. It is pending before it starts, active while it runs, expired after.
- **Inhibition**: a firing alert of one rule mutes alerts of other rules on the same subject
  (`DEFAULT_INHIBITION`: a missed target makes "at risk" and a missed milestone noise; an
  overdue report makes "at risk" unknowable).

A muted alert is still recorded and shown (silenced by, inhibited by); its deliveries are
held, and sent when nothing mutes it any more if it still fires (notify/service_layer/muting.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from enum import StrEnum

from monitoring.core.domain.conditions import Rule
from monitoring.core.domain.errors import SilenceExpired

#: inhibiting rule -> the rules it mutes on the same subject (MONITORING_INHIBITION)
DEFAULT_INHIBITION: Mapping[str, tuple[str, ...]] = {
    Rule.TARGET_MISSED.value: (Rule.COMMITMENT_AT_RISK.value, Rule.MILESTONE_MISSED.value),
    Rule.REPORTING_OVERDUE.value: (Rule.COMMITMENT_AT_RISK.value,),
}


class SilenceState(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    EXPIRED = "expired"


@dataclass(frozen=True)
class AlertFacts:
    """What matchers and inhibition look at of an alert."""

    fingerprint: str
    rule: str
    severity: str
    subject_type: str
    subject_id: str
    partner_id: str | None
    partnership_id: str

    @property
    def subject_key(self) -> str:
        return f"{self.subject_type}:{self.subject_id}"

    @property
    def commitment_id(self) -> str | None:
        return self.subject_id if self.subject_type == "commitment" else None

    @classmethod
    def of_fingerprint(
        cls, fingerprint: str, partner_id: str | None, partnership_id: str
    ) -> AlertFacts:
        """`rule:subject_type:subject_id[:key]` (conditions.Condition.fingerprint)."""
        rule, subject_type, subject_id = fingerprint.split(":")[:3]
        return cls(
            fingerprint,
            rule,
            Rule(rule).severity.value,
            subject_type,
            subject_id,
            partner_id,
            partnership_id,
        )


@dataclass(frozen=True)
class Matchers:
    """Equality matchers; None matches any value."""

    rule: str | None = None
    severity: str | None = None
    partner_id: str | None = None
    commitment_id: str | None = None
    partnership_id: str | None = None

    def match(self, alert: AlertFacts) -> bool:
        return all(
            getattr(self, f.name) is None or getattr(self, f.name) == getattr(alert, f.name)
            for f in fields(self)
        )

    def as_dict(self) -> dict[str, str]:
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None}


@dataclass(frozen=True)
class Silence:
    silence_id: str
    matchers: Matchers
    starts_at: datetime
    ends_at: datetime
    author: str
    comment: str
    created_at: datetime
    expired_by: str | None = None

    def state(self, now: datetime) -> SilenceState:
        if now >= self.ends_at:
            return SilenceState.EXPIRED
        return SilenceState.PENDING if now < self.starts_at else SilenceState.ACTIVE

    def silences(self, alert: AlertFacts, now: datetime) -> bool:
        return self.state(now) is SilenceState.ACTIVE and self.matchers.match(alert)

    def expire(self, by: str, now: datetime) -> Silence:
        """End it now (a pending silence ends before it starts)."""
        if self.state(now) is SilenceState.EXPIRED:
            raise SilenceExpired(
                f"silence {self.silence_id} ended at {self.ends_at.isoformat()}",
                field="silence_id",
            )
        return replace(self, ends_at=now, starts_at=min(self.starts_at, now), expired_by=by)


@dataclass(frozen=True)
class Firing:
    """An alert firing now, as inhibition sees it."""

    fingerprint: str
    rule: str
    subject_key: str


@dataclass(frozen=True)
class Suppression:
    """Why an alert is not delivered now: the silences and the alerts muting it."""

    silenced_by: tuple[str, ...] = ()
    inhibited_by: tuple[str, ...] = ()

    @property
    def muted(self) -> bool:
        return bool(self.silenced_by or self.inhibited_by)

    @property
    def state(self) -> str:
        """`silenced`, `inhibited` or `active` (a silence wins over inhibition)."""
        if self.silenced_by:
            return "silenced"
        return "inhibited" if self.inhibited_by else "active"

    @property
    def reason(self) -> str:
        if self.silenced_by:
            return "silenced by " + ", ".join(self.silenced_by)
        return "inhibited by " + ", ".join(self.inhibited_by)


def inhibitors(rule: str, table: Mapping[str, Iterable[str]]) -> set[str]:
    """The rules that mute `rule`."""
    return {source for source, muted in table.items() if rule in muted}


def suppression(
    alert: AlertFacts,
    silences: Iterable[Silence],
    firing: Iterable[Firing],
    table: Mapping[str, Iterable[str]],
    now: datetime,
) -> Suppression:
    sources, subject = inhibitors(alert.rule, table), alert.subject_key
    return Suppression(
        tuple(s.silence_id for s in silences if s.silences(alert, now)),
        tuple(
            sorted(
                f.fingerprint
                for f in firing
                if f.rule in sources
                and f.subject_key == subject
                and f.fingerprint != alert.fingerprint
            )
        ),
    )
