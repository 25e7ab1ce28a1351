"""What the commitments domain refuses, each error naming the input field and the rule."""

from __future__ import annotations

from pact_common.errors import Conflict, DomainError, Forbidden, NotFound


class RuleBroken(DomainError):
    """The input breaks a rule of the domain (422): `code` is the rule, `field` the input."""

    def __init__(self, rule: str, field: str, message: str) -> None:
        super().__init__(message, field=field, code=rule)


class NotAllowed(Forbidden):
    """The actor may not do this (403): another partner's commitment, a secretariat action."""

    def __init__(self, rule: str, field: str, message: str) -> None:
        super().__init__(message, field=field, code=rule)


class StatusConflict(Conflict):
    """The commitment's status (or its passed deadline) does not allow the change (409)."""

    def __init__(self, rule: str, message: str, field: str = "status") -> None:
        super().__init__(message, field=field, code=rule)


class CommitmentNotFound(NotFound):
    def __init__(self, commitment_id: str) -> None:
        super().__init__(f"no commitment {commitment_id}", field="commitment_id")


class TargetNotFound(NotFound):
    def __init__(self, target_id: str) -> None:
        super().__init__(f"no partnership target {target_id}", field="target_id")


class ConcurrentUpdate(Conflict, code="concurrent_update"): ...


class PartnerRefused(Forbidden, code="partner_not_allowed"):
    """This partner may not ask that: it is not active (a pending one reads its own
    commitments only)."""
