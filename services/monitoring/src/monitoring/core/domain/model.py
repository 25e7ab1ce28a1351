"""What monitoring knows of partners, commitments and partnership targets (kept from their
services' events, highest version wins) and the progress reports it receives. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from monitoring.core.domain.figures import BY_REPORTED_NAME
from monitoring.core.domain.figures import Figures as Figures  # declared there, part of this
from monitoring.core.domain.periods import Cadence
from pact_common.targets import Milestone as Milestone  # the shared value
from pact_common.vocabulary import CommitmentStatus as CommitmentStatus  # the shared vocabulary
from pact_common.vocabulary import PartnerStatus as PartnerStatus  # the shared vocabulary


class Metric(StrEnum):
    PEOPLE_TRAINED = "people_trained"
    PROGRAMMES_DEVELOPED = "programmes_developed"
    INVESTMENT_EUR = "investment_eur"
    PEOPLE_REACHED = "people_reached"
    PEOPLE_PLACED_IN_JOBS = "people_placed_in_jobs"
    NEW_ENTRANTS = "new_entrants"
    CERTIFICATES_ISSUED = "certificates_issued"


def is_measured(status: CommitmentStatus) -> bool:
    """Counted in 'commitments' and evaluated by the alert rules."""
    return status in (CommitmentStatus.ACTIVE, CommitmentStatus.ACHIEVED, CommitmentStatus.MISSED)


def takes_reports(status: CommitmentStatus) -> bool:
    """Its reports are taken (for the periods its dates allow): a status loses nothing, so an
    achieved or missed commitment keeps taking them up to its deadline plus grace, and a
    withdrawn one for the periods that began before its withdrawal. A suspended one takes
    none (commitment_not_active)."""
    return status is not CommitmentStatus.SUSPENDED


def may_report(status: PartnerStatus) -> bool:
    """Its reports are taken and it may read monitoring's figures (others: its reports are
    refused as partner_not_active, its requests with 403)."""
    return status is PartnerStatus.ACTIVE


def is_closed(status: PartnerStatus) -> bool:
    """Gone for good: nothing is delivered to it any more."""
    return status in (PartnerStatus.WITHDRAWN, PartnerStatus.REJECTED)


@dataclass(frozen=True)
class Partner:
    id: str
    version: int
    status: PartnerStatus
    partnerships: tuple[str, ...] = ()
    #: Ed25519 public key (base64); once registered, the partner's reports must be signed
    signing_key: str | None = None
    #: where the partner's alerts are delivered (None: nowhere)
    webhook_url: str | None = None
    #: the version of the secret that signs them, and until when the previous one does too
    webhook_secret_version: int = 0
    webhook_previous_secret_until: datetime | None = None
    #: the registry's credential version: tokens issued before it are refused
    credential_version: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", PartnerStatus(self.status))

    @property
    def may_report(self) -> bool:
        return may_report(self.status)


@dataclass(frozen=True)
class Partnership:
    id: str
    name: str


@dataclass(frozen=True)
class TargetDefinition:
    """What is to be reached (a cumulative value of one metric), by when, and on the way."""

    metric: Metric
    target_value: float
    start_date: date
    deadline: date
    baseline: float = 0.0
    milestones: tuple[Milestone, ...] = ()

    #: its hash once worked out (compiled, a cached_property would be worked out again)
    _hash: int | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:  # not yet worked out (compiled, a default is not applied)
        object.__setattr__(self, "_hash", None)

    def __hash__(self) -> int:
        """Worked out once: the rules' caches (plan, recent periods) ask for it at every
        evaluation, and a ten-year commitment's milestones make it cost microseconds."""
        if (known := self._hash) is not None:
            return known
        made = hash(
            (self.metric, self.target_value, self.start_date, self.deadline, self.baseline,
             self.milestones)
        )  # fmt: skip
        object.__setattr__(self, "_hash", made)
        return made

    @property
    def window_days(self) -> int:
        return max(1, (self.deadline - self.start_date).days + 1)

    def elapsed_fraction(self, day: date) -> float:
        """Share of the start..deadline window (whole days) lived by the end of `day`."""
        lived = (min(day, self.deadline) - self.start_date).days + 1
        return min(1.0, max(0.0, lived / self.window_days))


#: one object per definition in use: the rules' caches (plan, recent periods) are keyed by
#: it, and an equal object that is not the one cached costs a comparison of every milestone
#: at each lookup (a definition read from a head against the one its pledge made)
_ONE_EACH: dict[TargetDefinition, TargetDefinition] = {}
_ONE_EACH_MAX = 65_536


def one_of(t: TargetDefinition) -> TargetDefinition:
    """The object in use equal to `t` (`t`, if none is)."""
    if (known := _ONE_EACH.get(t)) is not None:
        return known
    if len(_ONE_EACH) >= _ONE_EACH_MAX:
        _ONE_EACH.clear()
    _ONE_EACH[t] = t
    return t


@dataclass(frozen=True)
class Commitment:
    id: str
    version: int
    partner_id: str
    partnership_id: str
    target: TargetDefinition
    cadence: Cadence
    grace_days: int
    status: CommitmentStatus
    title: str = ""
    countries: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    #: the day (UTC) it was withdrawn, when it is: periods that begin after it are refused
    withdrawn_on: date | None = None

    @property
    def last_reportable_day(self) -> date:
        """Periods may begin up to the deadline plus the days of grace."""
        return self.target.deadline + timedelta(days=self.grace_days)


@dataclass(frozen=True)
class PartnershipTarget:
    id: str
    version: int
    partnership_id: str
    target: TargetDefinition
    title: str = ""


def euros_to_cents(euros: float | int | None) -> int:
    return BY_REPORTED_NAME[Metric.INVESTMENT_EUR].stored(euros)


@dataclass(frozen=True)
class Report:
    """A progress report as received; `content_hash` identifies its content, so that the
    same event_id sent again with other content is told apart from a redelivery."""

    event_id: str
    partner_id: str
    commitment_id: str
    period: str
    revision: int
    figures: Figures
    occurred_at: datetime
    content_hash: str
    #: the report as received (UTF-8 JSON text)
    payload: str = field(default="", repr=False)
    #: Ed25519 signature (base64) of the report, when it came with one
    signature: str | None = field(default=None, repr=False)
    #: its sender is proven by the channel: taken over HTTP under a token that may report
    #: for this partner (over Kafka only a signature proves it)
    bound: bool = False
    #: the learners sketch it carries (serialized HLL, read and checked), and why the one it
    #: carries cannot be taken (the report is refused as bad_learners_sketch)
    learners: bytes | None = field(default=None, repr=False)
    learners_problem: str | None = None
