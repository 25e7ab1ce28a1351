"""What the registry's rules refuse. Codes are machine-readable; messages name the rule."""

from __future__ import annotations

from pact_common.errors import Conflict, DomainError, Forbidden, NotFound, Unauthorized


class PartnerNotFound(NotFound, code="partner_not_found"): ...


class PartnershipNotFound(NotFound, code="partnership_not_found"): ...


class UnknownPartnership(DomainError, code="unknown_partnership"):
    """A body names a partnership the registry does not know: invalid input (422), not a
    missing target (404 would say the partner at the URI does not exist)."""


class DuplicatePartner(Conflict, code="duplicate_partner"):
    def __init__(self, message: str, *, field: str, existing_partner_id: str) -> None:
        super().__init__(message, field=field)
        self.existing_partner_id = existing_partner_id


class DuplicatePartnership(Conflict, code="duplicate_partnership"): ...


class IllegalTransition(Conflict, code="illegal_transition"):
    def __init__(self, action: str, current: str) -> None:
        super().__init__(f"cannot {action} a partner that is {current}", field="status")
        self.current = current


class ConcurrentUpdate(Conflict, code="concurrent_update"): ...


class InvalidRegistration(DomainError, code="invalid"): ...


class NoWebhook(Conflict, code="no_webhook_url"): ...


class InvalidCredentials(Unauthorized, code="invalid_credentials"): ...


class PartnerNotAllowed(Forbidden, code="partner_not_allowed"): ...


class ApiKeyRequired(Forbidden, code="api_key_required"):
    """A change a stolen token must not make (a new API key, a withdrawal, another webhook
    URL or signing key) without the caller's current API key beside the token."""


__all__ = [
    "ApiKeyRequired", "ConcurrentUpdate", "DomainError", "DuplicatePartner", "DuplicatePartnership",
    "IllegalTransition", "InvalidCredentials", "InvalidRegistration", "NoWebhook",
    "PartnerNotAllowed", "PartnerNotFound", "PartnershipNotFound",
    "UnknownPartnership",
]  # fmt: skip
