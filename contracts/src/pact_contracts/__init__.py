"""Event contracts of the Digital Ecosystem Skills Partnership platform.

Partner systems install this package to build progress reports that the platform accepts:

    from pact_contracts import ProgressReported, PROGRESS_REPORTED
    report = ProgressReported(partner_id=..., commitment_id=..., period="2026-Q3",
                              people_trained=120)
    producer.send(PROGRESS_REPORTED.name, key=report.partner_id.encode(),
                  value=report.to_bytes())
"""

from .alerts import AlertEvent, AlertFired, AlertResolved, AlertRule, Severity, SubjectType
from .commitments import (
    CommitmentAchieved,
    CommitmentAmended,
    CommitmentEvent,
    CommitmentMissed,
    CommitmentPledged,
    CommitmentResumed,
    CommitmentSnapshot,
    CommitmentSuspended,
    CommitmentWithdrawn,
    Milestone,
    PartnershipTarget,
    PartnershipTargetSet,
    TargetCell,
    TargetDefinition,
)
from .deadletter import MessageDeadLettered
from .envelope import Event
from .progress import MAX_REPORT_BYTES, ProgressRejected, ProgressReported, RejectionReason
from .registry import (
    NotificationPreferences,
    PartnerApproved,
    PartnerEvent,
    PartnerJoinedPartnership,
    PartnerLeftPartnership,
    PartnerRegistered,
    PartnerReinstated,
    PartnerRejected,
    PartnershipCreated,
    PartnerSigningKeyRegistered,
    PartnerSnapshot,
    PartnerSuspended,
    PartnerUpdated,
    PartnerWithdrawn,
    PersonUpdated,
)
from .topics import (
    ALERTS,
    CATALOGUE,
    COMMITMENT_EVENTS,
    PARTNER_EVENTS,
    PROGRESS_REJECTED,
    PROGRESS_REPORTED,
    Topic,
    dead_letter_topic,
    key_for,
    topic_for,
)

__all__ = [
    "ALERTS",
    "CATALOGUE",
    "COMMITMENT_EVENTS",
    "MAX_REPORT_BYTES",
    "PARTNER_EVENTS",
    "PROGRESS_REJECTED",
    "PROGRESS_REPORTED",
    "AlertEvent",
    "AlertFired",
    "AlertResolved",
    "AlertRule",
    "CommitmentAchieved",
    "CommitmentAmended",
    "CommitmentEvent",
    "CommitmentMissed",
    "CommitmentPledged",
    "CommitmentResumed",
    "CommitmentSnapshot",
    "CommitmentSuspended",
    "CommitmentWithdrawn",
    "Event",
    "MessageDeadLettered",
    "Milestone",
    "NotificationPreferences",
    "PartnerApproved",
    "PartnerEvent",
    "PartnerJoinedPartnership",
    "PartnerLeftPartnership",
    "PartnerRegistered",
    "PartnerReinstated",
    "PartnerRejected",
    "PartnerSigningKeyRegistered",
    "PartnerSnapshot",
    "PartnerSuspended",
    "PartnerUpdated",
    "PartnerWithdrawn",
    "PartnershipCreated",
    "PartnershipTarget",
    "PartnershipTargetSet",
    "PersonUpdated",
    "ProgressRejected",
    "ProgressReported",
    "RejectionReason",
    "Severity",
    "SubjectType",
    "TargetCell",
    "TargetDefinition",
    "Topic",
    "dead_letter_topic",
    "key_for",
    "topic_for",
]  # fmt: skip
