"""Whether a progress report is accepted, parked until its commitment is known, or refused
(with a reason code and a message naming the field and the rule)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from monitoring.core.domain.model import (
    Commitment,
    CommitmentStatus,
    Partner,
    Report,
    takes_reports,
)
from monitoring.core.domain.periods import InvalidPeriod, Period


class Reason(StrEnum):
    """Why a report is refused; the values are the contract's RejectionReason codes."""

    MALFORMED = "malformed"
    TOO_LARGE = "too_large"
    INVALID = "invalid"
    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_PARTNER = "unknown_partner"
    PARTNER_NOT_ACTIVE = "partner_not_active"
    UNKNOWN_COMMITMENT = "unknown_commitment"
    NOT_OWNER = "not_owner"
    COMMITMENT_NOT_ACTIVE = "commitment_not_active"
    PERIOD_OUT_OF_RANGE = "period_out_of_range"
    PERIOD_IN_FUTURE = "period_in_future"
    PERIOD_CADENCE_MISMATCH = "period_cadence_mismatch"
    STALE_REVISION = "stale_revision"
    EVENT_ID_REUSED = "event_id_reused"
    PARKED_EXPIRED = "parked_expired"
    UNSIGNED = "unsigned"
    KEY_MISMATCH = "key_mismatch"
    BAD_LEARNERS_SKETCH = "bad_learners_sketch"
    REPORTED_AFTER_WITHDRAWAL = "reported_after_withdrawal"
    REPORTED_AFTER_DEADLINE = "reported_after_deadline"


@dataclass(frozen=True)
class Refusal:
    reason: Reason
    message: str
    field: str | None = None


class Awaited(StrEnum):
    COMMITMENT = "commitment"
    PARTNER = "partner"


@dataclass(frozen=True)
class Park:
    """Keep the report until what it refers to arrives (or the wait expires)."""

    awaiting: Awaited


@dataclass(frozen=True)
class Accept:
    period: Period


Verdict = Accept | Park | Refusal

#: (report, the partner's public key) -> whether the report's signature is good
SignatureCheck = Callable[[Report, str], bool]


def unverifiable(report: Report, public_key: str) -> bool:
    """Without a way to verify signatures, no signature is good."""
    return False


def check_report(
    report: Report,
    partner: Partner | None,
    commitment: Commitment | None,
    today: date,
    *,
    may_park: bool = True,
    verify: SignatureCheck = unverifiable,
    signatures_required: bool = False,
) -> Verdict:
    """The acceptance rules, in order. A report that arrives before the events it refers to
    waits (when `may_park`): before its commitment, if its partner is known, active and its
    signature good; before its partner, if its commitment is known and names that partner
    (the two come on different topics, so either may be read first). Reports of partners
    unknown to everyone never wait, so no one else can fill the parking."""
    if partner is None:
        if may_park and commitment is not None and commitment.partner_id == report.partner_id:
            return Park(Awaited.PARTNER)
        return Refusal(
            Reason.UNKNOWN_PARTNER, f"partner {report.partner_id} is not registered", "partner_id"
        )
    if not partner.may_report:
        return Refusal(
            Reason.PARTNER_NOT_ACTIVE,
            f"partner {partner.id} is {partner.status}; only active partners report progress",
            "partner_id",
        )
    if refusal := check_signature(report, partner, verify, required=signatures_required):
        return refusal
    if commitment is None:
        if may_park:
            return Park(Awaited.COMMITMENT)
        return Refusal(
            Reason.UNKNOWN_COMMITMENT,
            f"commitment {report.commitment_id} is not known",
            "commitment_id",
        )
    return check_against_commitment(report, commitment, today)


def check_signature(
    report: Report, partner: Partner, verify: SignatureCheck, *, required: bool = False
) -> Refusal | None:
    """Who sent a report. Over HTTP the token proves it (`report.bound`); over Kafka only a
    signature by the partner's registered key does, since any producer can write any
    partner_id. Partners that registered a key sign every report they send over Kafka, and
    where signatures are `required` (MONITORING_REQUIRE_SIGNATURES, on in production) every
    report sent over Kafka must be signed. A signature that comes with a report is checked
    whichever way it came."""
    if partner.signing_key is None:
        if required and not report.bound:
            return Refusal(
                Reason.UNSIGNED,
                f"partner {partner.id} has no signing key registered, and reports sent over "
                "Kafka must be signed (pact-signature header): register a public key with "
                "the registry, or send the report with POST /progress",
                "pact-signature",
            )
        return None
    if report.signature is None:
        if report.bound:
            return None
        return Refusal(
            Reason.UNSIGNED,
            f"partner {partner.id} has registered a signing key, so the reports it sends "
            "over Kafka must be signed: the pact-signature header is missing",
            "pact-signature",
        )
    if not verify(report, partner.signing_key):
        return Refusal(
            Reason.BAD_SIGNATURE,
            f"the pact-signature does not match the report and partner {partner.id}'s "
            "registered key: the report was changed after signing or signed with another key",
            "pact-signature",
        )
    return None


def check_against_commitment(report: Report, commitment: Commitment, today: date) -> Verdict:
    if commitment.partner_id != report.partner_id:
        return Refusal(
            Reason.NOT_OWNER,
            f"commitment {commitment.id} belongs to partner {commitment.partner_id}, "
            f"not to {report.partner_id}",
            "commitment_id",
        )
    if not takes_reports(commitment.status):
        return Refusal(
            Reason.COMMITMENT_NOT_ACTIVE,
            f"commitment {commitment.id} is {commitment.status.value}; "
            "it takes no progress reports until it is active again",
            "commitment_id",
        )
    try:
        period = Period.parse(report.period)
    except InvalidPeriod as exc:
        return Refusal(Reason.INVALID, f"period: {exc}", "period")
    return check_period(period, commitment, today)


def check_period(period: Period, commitment: Commitment, today: date) -> Verdict:
    """Whether the commitment's dates take a report of `period`. Its status takes nothing
    away but what it says: an achieved or missed commitment takes every period up to its
    deadline plus grace (late reports and corrections included), a withdrawn one the
    periods that began before its withdrawal."""
    expected = commitment.cadence.granularity
    if period.granularity is not expected:
        shape = "YYYY-Qn" if expected.value == "quarter" else "YYYY-MM"
        return Refusal(
            Reason.PERIOD_CADENCE_MISMATCH,
            f"period {period} is a {period.granularity.value}, but commitment {commitment.id} "
            f"reports {commitment.cadence.value}: use a {expected.value} ({shape})",
            "period",
        )
    target = commitment.target
    if period.end < target.start_date:
        return Refusal(
            Reason.PERIOD_OUT_OF_RANGE,
            f"period {period} ends before the commitment's start date {target.start_date}",
            "period",
        )
    if period.start > commitment.last_reportable_day:
        return Refusal(
            Reason.REPORTED_AFTER_DEADLINE,
            f"period {period} is after the commitment's deadline {target.deadline} plus "
            f"{commitment.grace_days} days of grace",
            "period",
        )
    if refusal := check_withdrawal(period, commitment):
        return refusal
    if period.start > today:
        return Refusal(
            Reason.PERIOD_IN_FUTURE,
            f"period {period} begins on {period.start}; progress can be reported from then on",
            "period",
        )
    return Accept(period)


def check_withdrawal(period: Period, commitment: Commitment) -> Refusal | None:
    """A withdrawn commitment takes the periods that began on or before the day it was
    withdrawn (a withdrawal of unknown date: none)."""
    if commitment.status is not CommitmentStatus.WITHDRAWN:
        return None
    withdrawn_on = commitment.withdrawn_on
    if withdrawn_on is not None and period.start <= withdrawn_on:
        return None
    if withdrawn_on is None:
        message = f"commitment {commitment.id} was withdrawn (on a day not known here)"
    else:
        message = (
            f"period {period} begins on {period.start}, after commitment {commitment.id} "
            f"was withdrawn on {withdrawn_on}; periods that began by then may still be reported"
        )
    return Refusal(Reason.REPORTED_AFTER_WITHDRAWAL, message, "period")


@dataclass(frozen=True)
class Receipt:
    """What monitoring keeps of every report it has taken: its event_id and content."""

    event_id: str
    content_hash: str
    reused_hashes: tuple[str, ...] = ()


def check_seen(receipt: Receipt, report: Report) -> Refusal | None:
    """A report whose event_id was taken before: None when it is the same report again (a
    redelivery: ignore it); a refusal the first time other content reuses the id."""
    if report.content_hash == receipt.content_hash or report.content_hash in receipt.reused_hashes:
        return None
    return Refusal(
        Reason.EVENT_ID_REUSED,
        f"event_id {report.event_id} was already used by another report; "
        "every report needs an event_id of its own",
        "event_id",
    )
