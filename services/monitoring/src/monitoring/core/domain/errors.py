"""What monitoring's rules refuse over HTTP. Progress reports are refused by rejection
(domain/acceptance.py), not by exception: they come mostly from Kafka."""

from __future__ import annotations

from pact_common.errors import DomainError, Forbidden, NotFound


class NotYourReport(Forbidden):
    code = "not_owner"


class CommitmentNotFound(NotFound):
    code = "commitment_not_found"


class PartnershipNotFound(NotFound):
    code = "partnership_not_found"


__all__ = ["CommitmentNotFound", "DomainError", "NotYourReport", "PartnershipNotFound"]
