"""What monitoring says back on `monitoring.progress-rejected.v1` about a progress report."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, TypeAdapter

from .envelope import Event, text


class RejectionReason(StrEnum):
    """Machine-readable reasons a progress report is refused."""

    MALFORMED = "malformed"  # not JSON, not UTF-8, truncated
    TOO_LARGE = "too_large"
    INVALID = "invalid"  # parses, but breaks a rule of the contract
    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_PARTNER = "unknown_partner"
    PARTNER_NOT_ACTIVE = "partner_not_active"
    UNKNOWN_COMMITMENT = "unknown_commitment"
    NOT_OWNER = "not_owner"
    COMMITMENT_NOT_ACTIVE = "commitment_not_active"  # suspended: takes no reports for now
    PERIOD_OUT_OF_RANGE = "period_out_of_range"  # ends before the commitment's start
    PERIOD_IN_FUTURE = "period_in_future"  # the period has not begun yet
    PERIOD_CADENCE_MISMATCH = "period_cadence_mismatch"  # YYYY-MM for a quarterly one, ...
    STALE_REVISION = "stale_revision"  # not above the revision already applied
    EVENT_ID_REUSED = "event_id_reused"  # an event_id seen before, with other content
    PARKED_EXPIRED = "parked_expired"
    UNSIGNED = "unsigned"  # over Kafka with no signature, where signatures are required
    KEY_MISMATCH = "key_mismatch"  # the Kafka key is not the body's partner_id (commitment_id)
    BAD_LEARNERS_SKETCH = "bad_learners_sketch"  # not base64, over 8 KB, not an HLL sketch
    REPORTED_AFTER_WITHDRAWAL = "reported_after_withdrawal"  # begins after the withdrawal
    REPORTED_AFTER_DEADLINE = "reported_after_deadline"  # begins after deadline + grace


class ProgressRejected(Event):
    event_type: Literal["ProgressRejected"] = "ProgressRejected"
    producer: str = text("The system that produced the event.", "monitoring", default="monitoring")
    reason_code: RejectionReason = Field(
        description="Why the report was refused.", examples=["period_out_of_range"]
    )
    message: str = text(
        "What is wrong, naming the field and the rule.",
        "period 2031-Q1 is after the commitment's deadline 2027-12-31 plus 30 days of grace",
        max_length=4000,
    )
    original_event_id: str | None = text(
        "event_id of the report, when it could be read.",
        "8d0c4a9e-2f7b-4a58-9f0e-3c1d2b4a5e6f",
        max_length=100,
        default=None,
    )
    partner_id: str | None = text("Partner id, when it could be read.", "p-3f2a9c1e", default=None)
    commitment_id: str | None = text(
        "Commitment id, when it could be read.", "c-7b1d3e5f", default=None
    )
    original_payload: str = text(
        "The report as received: its UTF-8 text, or base64 when it is not UTF-8.",
        '{"event_type": "ProgressReported", ...}',
        max_length=200_000,
    )
    payload_encoding: Literal["utf-8", "base64"] = Field(
        default="utf-8", description="How original_payload is encoded.", examples=["utf-8"]
    )


REJECTIONS: TypeAdapter[ProgressRejected] = TypeAdapter(ProgressRejected)
