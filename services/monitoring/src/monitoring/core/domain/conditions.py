"""What an alert is about: the rules (and how severe each is), the subject a rule speaks
of, a condition a rule found (holding or not), and the rules' settings. The rules
themselves are in rules.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import NamedTuple

from monitoring.core.domain.model import Metric


class Rule(StrEnum):
    MILESTONE_MISSED = "MilestoneMissed"
    TARGET_MISSED = "TargetMissed"
    COMMITMENT_AT_RISK = "CommitmentAtRisk"
    REPORTING_OVERDUE = "ReportingOverdue"
    TARGET_ACHIEVED = "TargetAchieved"
    MILESTONE_ACHIEVED = "MilestoneAchieved"

    @property
    def informational(self) -> bool:
        """Fires once per fingerprint, ever; never resolves."""
        return self in (Rule.TARGET_ACHIEVED, Rule.MILESTONE_ACHIEVED)

    @property
    def severity(self) -> Severity:
        if self.informational:
            return Severity.INFO
        return Severity.CRITICAL if self is Rule.TARGET_MISSED else Severity.WARNING


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


#: Rules whose firing means the subject is not on track.
OFF_TRACK = frozenset({Rule.MILESTONE_MISSED, Rule.TARGET_MISSED, Rule.COMMITMENT_AT_RISK})


class SubjectType(StrEnum):
    COMMITMENT = "commitment"
    PARTNERSHIP_TARGET = "partnership_target"


@dataclass(frozen=True)
class Subject:
    type: SubjectType
    id: str
    partnership_id: str
    metric: Metric
    partner_id: str | None = None
    #: '{type}:{id}': every condition's fingerprint begins with it, so it is worked out
    #: once, when made (compiled, a cached_property would be worked out at every read)
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", self.type + ":" + self.id)


@dataclass(frozen=True)
class AlertConfig:
    #: CommitmentAtRisk when the projection falls short of the target by more than this share
    at_risk_tolerance: float = 0.10
    #: ... once this share of the start..deadline window has passed; once firing, it
    #: resolves only when the projection is short by less than this share (hysteresis)
    at_risk_min_elapsed: float = 0.25
    at_risk_resolve_tolerance: float = 0.05
    #: a firing alert resolves only once it has fired this long (until then the resolve is
    #: held, and dropped if the condition holds again): no flapping
    min_firing: timedelta = timedelta(0)


class Condition(NamedTuple):
    """A tuple, built by the dozen for every commitment a batch touches (a milestone gives
    two): a frozen dataclass cost three times as much to build."""

    rule: Rule
    active: bool
    expected: float
    actual: float
    due_date: date | None
    #: its message, or what writes it: a message is read only when an alert fires or
    #: resolves, or the board shows it, so the rules leave the formatting of figures to then
    text: str | Callable[[], str]
    #: the milestone's due date, for milestone rules: one fingerprint per milestone
    key: str | None = None

    @property
    def message(self) -> str:
        text = self.text
        return text if isinstance(text, str) else text()

    def fingerprint(self, subject: Subject) -> str:
        return fingerprint(self.rule, subject, self.key)


def fingerprint(rule: Rule, subject: Subject, key: str | None = None) -> str:
    """An alert's identity: '{rule}:{subject.key}[:{key}]' (a StrEnum joined as the str it
    is); with `key` "", what the fingerprints of a rule's keyed conditions begin with."""
    base = rule + ":" + subject.key
    return base + ":" + key if key is not None else base
