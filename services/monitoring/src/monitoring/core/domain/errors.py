"""What monitoring refuses over HTTP, every slice's in one place. Progress reports are
refused by rejection (domain/acceptance.py), not by exception: they come mostly from Kafka."""

from __future__ import annotations

from pact_common.errors import Conflict, DomainError, Forbidden, NotFound


class NotYourReport(Forbidden, code="not_owner"): ...


class TooFewPartners(Forbidden, code="too_few_partners"):
    """A group's figures with fewer partners in it than views.domain.suppression's minimum:
    for the secretariat only, since a partner in it could tell the others' figures."""


class CommitmentNotFound(NotFound, code="commitment_not_found"): ...


class PartnershipNotFound(NotFound, code="partnership_not_found"): ...


class AlertNotFound(NotFound, code="alert_not_found"): ...


class AlertNotFiring(Conflict, code="alert_not_firing"): ...


class DeliveryNotFound(NotFound, code="delivery_not_found"): ...


class DeliveryNotRetryable(Conflict, code="delivery_not_retryable"): ...


class SilenceNotFound(NotFound, code="silence_not_found"): ...


class SilenceExpired(Conflict, code="silence_expired"): ...


__all__ = [
    "AlertNotFiring",
    "AlertNotFound",
    "CommitmentNotFound",
    "DeliveryNotFound",
    "DeliveryNotRetryable",
    "DomainError",
    "NotYourReport",
    "PartnershipNotFound",
    "SilenceExpired",
    "SilenceNotFound",
    "TooFewPartners",
]
