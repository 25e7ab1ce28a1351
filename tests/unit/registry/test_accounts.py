"""People's accounts, the pure rules (registry.domain.accounts): passwords, roles of a side,
invitations used once and before they expire, TOTP confirmed before it is asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from pact_common.errors import DomainError
from pact_common.permissions import UserRole
from registry.domain.accounts import Invitation, User, UserStatus, password_matches, sha256

AT = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"


def user(**changes: object) -> User:
    values: dict[str, object] = {
        "email": "Bo@Acme.example", "name": "Bo", "role": UserRole.COORDINATOR,
        "partner_id": "p-1", "password": PASSWORD, "at": AT,
    }  # fmt: skip
    return User.create(**(values | changes))  # type: ignore[arg-type]


def test_a_password_is_kept_as_its_argon2_hash_and_the_email_lower_cased() -> None:
    bo = user()
    assert bo.email == "bo@acme.example" and bo.id.startswith("usr-")
    assert bo.password_hash is not None and bo.password_hash.startswith("$argon2id$")
    assert PASSWORD not in bo.password_hash
    assert password_matches(bo.password_hash, PASSWORD)
    assert not password_matches(bo.password_hash, PASSWORD + "!")
    assert not password_matches(None, PASSWORD)  # no user: the same work, refused


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"password": "x" * 11}, "password"),
        ({"password": "x" * 129}, "password"),
        ({"password": "BO@acme.example"}, "password"),
        ({"role": UserRole.ADMIN}, "role"),
        ({"partner_id": None}, "partner_id"),
    ],
)
def test_what_an_account_may_not_be(changes: dict[str, object], field: str) -> None:
    with pytest.raises(DomainError) as refused:
        user(**changes)
    assert (refused.value.status, refused.value.field) == (422, field)


def test_a_secretariat_role_takes_no_partner() -> None:
    admin = user(role=UserRole.ADMIN, partner_id=None)
    assert admin.role.is_secretariat
    with pytest.raises(DomainError):
        admin.change(role=UserRole.VIEWER, status=None)
    admin.change(role=UserRole.OFFICER, status=UserStatus.DISABLED)
    assert (admin.role, admin.is_active) == (UserRole.OFFICER, False)


def test_an_invitation_is_kept_as_its_hash_and_used_once_before_it_expires() -> None:
    invitation, token = Invitation.issue(
        email="Rita@Example.org", role=UserRole.REPORTER, partner_id="p-1", by="bo@acme.example",
        at=AT, ttl=timedelta(hours=168),
    )  # fmt: skip
    assert invitation.token_hash == sha256(token) and token not in repr(invitation)
    assert invitation.email == "rita@example.org"
    with pytest.raises(DomainError) as late:
        invitation.check_open(AT + timedelta(hours=168))
    assert (late.value.status, late.value.code) == (410, "invitation_expired")
    rita = invitation.accept(name="Rita", password=PASSWORD, at=AT + timedelta(hours=1))
    assert (rita.email, rita.role, rita.partner_id) == (
        "rita@example.org",
        UserRole.REPORTER,
        "p-1",
    )
    with pytest.raises(DomainError) as used:
        invitation.accept(name="Rita", password=PASSWORD, at=AT + timedelta(hours=2))
    assert (used.value.status, used.value.code) == (410, "invitation_used")


def test_totp_is_on_once_a_code_of_the_new_secret_is_confirmed() -> None:
    bo = user()
    with pytest.raises(DomainError) as early:
        bo.confirm_totp("123456")
    assert early.value.code == "totp_not_started"
    secret = bo.start_totp()
    assert not bo.totp_enabled and bo.totp_uri(secret).startswith("otpauth://totp/")
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    with pytest.raises(DomainError) as refused:
        bo.confirm_totp(wrong)
    assert (refused.value.status, refused.value.field) == (422, "code")
    bo.confirm_totp(pyotp.TOTP(secret).now())
    assert bo.totp_enabled
    at, totp = datetime(2026, 6, 1, 12, 0, 10, tzinfo=UTC), pyotp.TOTP(secret)
    with pytest.raises(DomainError) as bad:
        bo.use_totp(wrong if wrong != totp.at(at) else "222222", at)
    assert (bad.value.code, bad.value.field) == ("totp_invalid", "totp_code")
    bo.use_totp(totp.at(at), at)  # taken once
    with pytest.raises(DomainError) as again:
        bo.use_totp(totp.at(at), at + timedelta(seconds=5))
    print("\nthe same code again:", again.value)
    assert again.value.code == "totp_invalid" and "already" in str(again.value)
    with pytest.raises(DomainError):  # nor the step before it, once a later one was used
        bo.use_totp(totp.at(at - timedelta(seconds=30)), at)
    bo.use_totp(totp.at(at + timedelta(seconds=30)), at + timedelta(seconds=30))  # the next


def test_an_account_is_published_when_created_changed_or_its_notifications_set() -> None:
    """PersonUpdated (issue 16): a new version at each, none for what others need not know."""
    bo = user()
    assert bo.version == 1 and len(bo.events) == 1
    assert bo.notifications == {
        "critical": "immediately",
        "warning": "immediately",
        "info": "daily",
    }
    bo.start_totp()
    assert bo.version == 1 and len(bo.events) == 1
    bo.set_notifications({"warning": "off"})
    assert bo.version == 2 and bo.notifications["warning"] == "off"
    assert bo.notifications["critical"] == "immediately"
    bo.change(role=UserRole.VIEWER, status=None)
    assert bo.version == 3 and [e.user_id for e in bo.events] == [bo.id] * 3
    with pytest.raises(DomainError) as info:
        bo.set_notifications({"critical": "hourly"})
    assert info.value.code == "invalid_notifications" and bo.version == 3
