"""The one error type domain code raises; pure Python, so domain modules may import it."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused a request.

    `code` is machine-readable (it becomes the HTTP error code and, for progress reports,
    the rejection reason); `field` names the input the rule is about, where there is one.
    A subclass names its code and, where another fits, its HTTP status in its header:
    `class PartnerNotFound(NotFound, code="partner_not_found"): ...`.
    """

    status = 422
    code = "invalid"

    def __init_subclass__(cls, *, code: str | None = None, status: int | None = None) -> None:
        super().__init_subclass__()
        if code is not None:
            cls.code = code
        if status is not None:
            cls.status = status

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class NotFound(DomainError, status=404, code="not_found"): ...


class Conflict(DomainError, status=409, code="conflict"): ...


class Forbidden(DomainError, status=403, code="forbidden"): ...


class Unauthorized(DomainError, status=401, code="unauthorized"): ...
