"""Who may do what: the one table of the platform's roles (issue 15), which every service
enforces through `Principal.require`. Pure Python.

People sign in with a role: the secretariat's `admin` and `officer`, a partner's
`coordinator`, `reporter` and `viewer`. Machines use API keys: the secretariat's admin key, a
partner's primary key (scope `full`) and its extra `reporting` keys. A principal's *kind* is
one of these eight; `PERMISSIONS` says which kinds hold each permission. Reading follows the
routes' own rules (own organisation, or everything for the secretariat); a viewer reads and
never writes (the shared principal dependency refuses its every non-safe request)."""

from __future__ import annotations

from enum import StrEnum


class UserRole(StrEnum):
    """A person's role: the first two are the secretariat's, the others a partner's."""

    ADMIN = "admin"
    OFFICER = "officer"
    COORDINATOR = "coordinator"
    REPORTER = "reporter"
    VIEWER = "viewer"

    @property
    def is_secretariat(self) -> bool:
        return self in SECRETARIAT_ROLES


SECRETARIAT_ROLES = frozenset({UserRole.ADMIN, UserRole.OFFICER})
PARTNER_ROLES = frozenset({UserRole.COORDINATOR, UserRole.REPORTER, UserRole.VIEWER})


class KeyScope(StrEnum):
    """What a partner's API key may do: everything its organisation may (its primary key),
    or report progress and read its rejections only."""

    FULL = "full"
    REPORTING = "reporting"


class Kind(StrEnum):
    """Who a principal is, as far as permissions go: a person's role, or which key."""

    ADMIN = "admin"
    OFFICER = "officer"
    COORDINATOR = "coordinator"
    REPORTER = "reporter"
    VIEWER = "viewer"
    SECRETARIAT_KEY = "secretariat key"
    FULL_KEY = "full key"
    REPORTING_KEY = "reporting key"


class Permission(StrEnum):
    """Each value completes "a viewer may not ..." in a refusal's message."""

    MANAGE_PARTNERS = "approve, reject, suspend, reinstate or purge partners"
    MANAGE_TARGETS = "set partnership targets"
    MANAGE_SECRETARIAT_USERS = "invite or manage secretariat users"
    MANAGE_ORGANISATION = "change the organisation's profile, webhook, keys or membership"
    MANAGE_COLLEAGUES = "invite colleagues, change their roles or disable them"
    PLEDGE = "pledge, amend or withdraw commitments"
    REPORT_PROGRESS = "report progress"
    ACKNOWLEDGE_ALERTS = "acknowledge alerts"
    SILENCE_ALERTS = "silence alerts"


_K = Kind
_SECRETARIAT = frozenset({_K.ADMIN, _K.OFFICER, _K.SECRETARIAT_KEY})
_ORGANISATION = frozenset({*_SECRETARIAT, _K.COORDINATOR, _K.FULL_KEY})
_CONTRIBUTORS = frozenset({*_ORGANISATION, _K.REPORTER})

#: permission -> the kinds of principal that hold it (the issue's table, in one place)
PERMISSIONS: dict[Permission, frozenset[Kind]] = {
    Permission.MANAGE_PARTNERS: _SECRETARIAT,
    Permission.MANAGE_TARGETS: _SECRETARIAT,
    Permission.MANAGE_SECRETARIAT_USERS: frozenset({_K.ADMIN, _K.SECRETARIAT_KEY}),
    Permission.MANAGE_ORGANISATION: _ORGANISATION,
    Permission.MANAGE_COLLEAGUES: frozenset({_K.ADMIN, _K.SECRETARIAT_KEY, _K.COORDINATOR}),
    Permission.PLEDGE: _CONTRIBUTORS,
    Permission.REPORT_PROGRESS: frozenset({*_CONTRIBUTORS, _K.REPORTING_KEY}),
    Permission.ACKNOWLEDGE_ALERTS: _CONTRIBUTORS,
    Permission.SILENCE_ALERTS: _CONTRIBUTORS,
}

#: the only paths a reporting key is answered on (it reports progress and reads its
#: rejections): everything else is refused by the shared principal dependency
REPORTING_KEY_PATHS = ("/progress",)


def may(kind: Kind, permission: Permission) -> bool:
    return kind in PERMISSIONS[permission]


def refusal(kind: Kind, permission: Permission) -> str:
    """`a viewer may not pledge, amend or withdraw commitments`"""
    article = "an" if kind.value[0] in "aeiou" else "a"
    return f"{article} {kind.value} may not {permission.value}"
