"""The statuses every service speaks of, declared once, with the values of the contract's
(tests/contract/test_vocabulary_parity.py checks they stay the same). Words only: what a
status allows is each service's own rule, stated beside its domain. Pure Python, for
domain code, which may not import the contracts."""

from __future__ import annotations

from enum import StrEnum


class PartnerStatus(StrEnum):
    """A partner's standing in the registry."""

    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"


class CommitmentStatus(StrEnum):
    """Where a commitment stands."""

    ACTIVE = "active"
    ACHIEVED = "achieved"
    MISSED = "missed"
    WITHDRAWN = "withdrawn"
    SUSPENDED = "suspended"
