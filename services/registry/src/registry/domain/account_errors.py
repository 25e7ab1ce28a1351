"""What the rules of people's accounts refuse. Codes are machine-readable (the portal words
them); messages name the rule."""

from __future__ import annotations

from pact_common.errors import Conflict, DomainError, Forbidden, NotFound, Unauthorized


class InvalidPassword(DomainError, code="invalid_password"): ...


class InvalidUserRole(DomainError, code="invalid_role"): ...


class UserNotFound(NotFound, code="user_not_found"): ...


class UserExists(Conflict, code="user_exists"): ...


class HasUsers(Conflict, code="has_users"): ...


class LastCoordinator(Conflict, code="last_coordinator"): ...


class InvitationNotFound(NotFound, code="invitation_not_found"): ...


class InvitationGone(DomainError, status=410, code="invitation_gone"): ...


class InvitationExpired(InvitationGone, code="invitation_expired"): ...


class InvitationUsed(InvitationGone, code="invitation_used"): ...


class TotpRequired(Unauthorized, code="totp_required"): ...


class TotpInvalid(Unauthorized, code="totp_invalid"):
    """A sign-in's TOTP code that is not the current one (401)."""


class WrongTotpCode(DomainError, code="totp_invalid"):
    """A confirmation's code that does not match the new secret: invalid input (422)."""


class TotpNotStarted(Conflict, code="totp_not_started"): ...


class NoAccount(Forbidden, code="no_account"): ...


class OidcNotConfigured(NotFound, code="oidc_not_configured"): ...


class InvalidIdToken(Unauthorized, code="invalid_id_token"): ...


class OidcUnavailable(DomainError, status=503, code="oidc_unavailable"):
    """The OpenID Connect provider's discovery document or keys could not be read."""


class TooManyKeys(Conflict, code="too_many_keys"): ...


class ApiKeyNotFound(NotFound, code="api_key_not_found"): ...


class InvalidNotifications(DomainError, code="invalid_notifications"): ...
