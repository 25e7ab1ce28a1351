"""The Partner aggregate and the registry's handlers, with Fake repositories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pact_common.auth import Role, TokenIssuer, TokenVerifier
from pact_common.dev_keys import DEV_JWT_PRIVATE_KEY, DEV_JWT_PUBLIC_KEY
from pact_common.permissions import KeyScope
from pact_common.webhook_secrets import key_of, partner_secret
from registry.domain import commands, events
from registry.domain.accounts import User
from registry.domain.api_keys import ApiKey
from registry.domain.errors import (
    ApiKeyRequired,
    DuplicatePartner,
    IllegalTransition,
    InvalidCredentials,
    InvalidRegistration,
    NoWebhook,
    PartnerNotAllowed,
)
from registry.domain.identity import HOLDS_IDENTITY
from registry.domain.model import Partner, Profile, Status, normalise_name
from registry.domain.partnership import Partnership
from registry.service_layer import handlers
from registry.service_layer.unit_of_work import (
    ApiKeyRepository,
    PartnerRepository,
    PartnershipRepository,
    UnitOfWork,
    UserRepository,
)

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
KEY = "a deployment key of 32 characters or more"
ALL_PRINCIPLES = dict.fromkeys(
    ("lifelong_learning", "skills_partnerships", "skills_intelligence", "equal_opportunities"),
    True,
)


def secret_of(partner_id: str, version: int) -> str:
    return partner_secret(KEY, partner_id, version)


def profile(**changes: Any) -> Profile:
    values: dict[str, Any] = dict(
        legal_name="Acme Cloud Europe SE",
        organisation_type="company",
        size_class="large",
        hq_country="DE",
        countries=("FR",),
        contact_name="Jana",
        contact_email="j@acme.example",
        vat="DE123456789",
    )
    return Profile(**(values | changes))


class FakePartnerRepository(PartnerRepository):
    def __init__(self, partners: list[Partner] | None = None) -> None:
        super().__init__()
        self.stored = {p.id: p for p in partners or []}

    async def _get(self, partner_id: str) -> Partner | None:
        return self.stored.get(partner_id)

    async def _add(self, partner: Partner) -> None:
        self.stored[partner.id] = partner

    async def save(self, partner: Partner) -> None:
        self.stored[partner.id] = partner

    async def delete(self, partner: Partner) -> None:
        del self.stored[partner.id]

    async def id_by_api_key_hash(self, api_key_hash: str) -> str | None:
        return next((p.id for p in self.stored.values() if p.api_key_hash == api_key_hash), None)

    async def find_duplicate(self, partner: Partner) -> tuple[str, str] | None:
        for other in self.stored.values():
            if other.id == partner.id or other.status not in HOLDS_IDENTITY:
                continue
            for key, value in partner.profile.identifiers().items():
                if other.profile.identifiers().get(key) == value:
                    return key, other.id
            if other.profile.name_key == partner.profile.name_key:
                return "legal_name", other.id
        return None


class FakePartnershipRepository(PartnershipRepository):
    def __init__(self) -> None:
        super().__init__()
        self.stored = {
            "digital-ecosystem": Partnership("digital-ecosystem", "DESP", "digital", "", NOW)
        }

    async def get(self, partnership_id: str) -> Partnership | None:
        return self.stored.get(partnership_id)

    async def _add(self, partnership: Partnership) -> None:
        self.stored[partnership.id] = partnership


class FakeApiKeyRepository(ApiKeyRepository):
    """A partner's extra API keys (issue 15), by the hash of each."""

    def __init__(self) -> None:
        self.stored: dict[str, ApiKey] = {}

    async def by_hash(self, key_hash: str) -> ApiKey | None:
        return next((k for k in self.stored.values() if k.key_hash == key_hash), None)

    async def count_of(self, partner_id: str) -> int:
        return sum(k.partner_id == partner_id for k in self.stored.values())

    async def add(self, key: ApiKey) -> None:
        self.stored[key.id] = key

    async def delete(self, partner_id: str, key_id: str) -> bool:
        return self.stored.pop(key_id, None) is not None


class FakeUserRepository(UserRepository):
    """People's accounts, in memory: an account added or saved publishes its events."""

    def __init__(self) -> None:
        super().__init__()
        self.stored: dict[str, User] = {}

    async def get(self, user_id: str) -> User | None:
        return self.stored.get(user_id)

    async def by_email(self, email: str) -> User | None:
        return next((u for u in self.stored.values() if u.email == email), None)

    async def by_oidc(self, issuer: str, subject: str) -> User | None:
        return next((u for u in self.stored.values() if u.oidc == (issuer, subject)), None)

    async def _add(self, user: User) -> None:
        self.stored[user.id] = user

    async def _save(self, user: User) -> None:
        self.stored[user.id] = user

    async def unpublished(self, limit: int) -> list[str]:
        return []

    async def count_in(self, partner_id: str) -> int:
        return sum(u.partner_id == partner_id for u in self.stored.values())

    async def active_coordinators(self, partner_id: str) -> int:
        return sum(
            u.partner_id == partner_id and u.is_active_coordinator for u in self.stored.values()
        )


class FakeUnitOfWork(UnitOfWork):
    def __init__(self) -> None:
        super().__init__()
        self.users = FakeUserRepository()
        self.partners = FakePartnerRepository()
        self.partnerships = FakePartnershipRepository()
        self.api_keys = FakeApiKeyRepository()
        self.published: list[Any] = []
        self.commits = 0

    async def commit(self) -> None:
        self.published.extend(e for e, _ in self.collect_new_events())
        self.commits += 1


def test_names_are_normalised_for_duplicate_detection() -> None:
    assert normalise_name("  ACME  Cloud-Europe S.E. ") == normalise_name("acme cloud europe se")
    assert normalise_name("Université Côte d'Azur") == "universite cote dazur"


def test_all_four_principles_must_be_accepted() -> None:
    with pytest.raises(InvalidRegistration) as info:
        Partner.register(
            profile(),
            partnerships=[],
            at=NOW,
            principles_accepted=ALL_PRINCIPLES | {"skills_intelligence": False},
        )
    assert info.value.field == "principles.skills_intelligence"


def test_registration_defaults_to_the_digital_ecosystem_and_includes_hq_country() -> None:
    partner, key = Partner.register(
        profile(), partnerships=[], principles_accepted=ALL_PRINCIPLES, at=NOW
    )
    assert partner.partnerships == ["digital-ecosystem"]
    assert partner.profile.countries == ("DE", "FR")
    assert partner.status is Status.PENDING and key.startswith("pk_")
    assert key not in partner.api_key_hash


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (["approve", "suspend", "reinstate", "suspend", "reinstate", "withdraw"], True),
        (["reject"], True),
        (["withdraw"], True),
        (["approve", "approve"], False),
        (["approve", "reinstate"], False),
        (["reject", "approve"], False),
        (["approve", "withdraw", "reinstate"], False),
        (["suspend"], False),
    ],
)
def test_lifecycle_transitions(path: list[str], allowed: bool) -> None:
    partner, _ = Partner.register(
        profile(), partnerships=[], principles_accepted=ALL_PRINCIPLES, at=NOW
    )
    try:
        for action in path:
            partner.transition(action, actor="secretariat", reason="r", at=NOW)
    except IllegalTransition as exc:
        assert not allowed
        assert exc.status == 409 and exc.current == partner.status.value
    else:
        assert allowed
        assert partner.version == 1 + len(path)
        assert [t.action for t in partner.new_transitions] == ["register", *path]


async def test_register_then_duplicate_by_identifier_and_by_name() -> None:
    uow = FakeUnitOfWork()
    first = await handlers.register_partner(
        commands.RegisterPartner(profile(), [], ALL_PRINCIPLES), uow, lambda: NOW, secret_of
    )
    with pytest.raises(DuplicatePartner) as by_vat:
        await handlers.register_partner(
            commands.RegisterPartner(profile(legal_name="Other"), [], ALL_PRINCIPLES),
            uow,
            lambda: NOW,
            secret_of,
        )
    assert by_vat.value.field == "vat" and by_vat.value.existing_partner_id == first.partner_id
    with pytest.raises(DuplicatePartner) as by_name:
        await handlers.register_partner(
            commands.RegisterPartner(
                profile(vat=None, legal_name="ACME Cloud Europe S.E."), [], ALL_PRINCIPLES
            ),
            uow,
            lambda: NOW,
            secret_of,
        )
    assert by_name.value.field == "legal_name"
    assert uow.commits == 1 and [type(e) for e in uow.published] == [events.PartnerRegistered]


async def _registered(uow: FakeUnitOfWork, **changes: Any) -> str:
    done = await handlers.register_partner(
        commands.RegisterPartner(profile(**changes), [], ALL_PRINCIPLES),
        uow,
        lambda: NOW,
        secret_of,
    )
    return done.partner_id


async def _moved(uow: FakeUnitOfWork, partner_id: str, *actions: str) -> None:
    for action in actions:
        cmd = commands.ChangePartnerStatus(partner_id, action, "secretariat", "Checked")
        await handlers.change_status(cmd, uow, lambda: NOW)


@pytest.mark.parametrize(
    ("path", "holds"),
    [((), True), (("approve",), True), (("approve", "suspend"), True), (("reject",), False),
     (("approve", "withdraw"), False)],
)  # fmt: skip
async def test_only_pending_active_and_suspended_partners_hold_their_name_and_identifiers(
    path: tuple[str, ...], holds: bool
) -> None:
    uow = FakeUnitOfWork()
    await _moved(uow, await _registered(uow), *path)
    if holds:
        with pytest.raises(DuplicatePartner):
            await _registered(uow)
    else:
        again = await _registered(uow)  # the same name and VAT number, registered again
        assert uow.partners.stored[again].status is Status.PENDING


async def test_the_secretariat_purges_a_rejected_registration_only() -> None:
    uow = FakeUnitOfWork()
    rejected, pending = await _registered(uow), await _registered(uow, legal_name="Other", vat=None)
    await _moved(uow, rejected, "reject")
    partner = uow.partners.stored[rejected]
    await handlers.purge_partner(
        commands.PurgePartner(rejected, "secretariat", "Spam"), uow, lambda: NOW
    )
    assert rejected not in uow.partners.stored
    assert [(t.action, t.to_status, t.reason) for t in partner.new_transitions][-1:] == [
        ("purge", "purged", "Spam")
    ]
    with pytest.raises(IllegalTransition) as refused:
        await handlers.purge_partner(
            commands.PurgePartner(pending, "secretariat", "Spam"), uow, lambda: NOW
        )
    assert refused.value.status == 409 and pending in uow.partners.stored


async def test_tokens_for_partners_and_the_secretariat() -> None:
    uow = FakeUnitOfWork()
    issuer = TokenIssuer(
        DEV_JWT_PRIVATE_KEY, "iss", "aud", __import__("datetime").timedelta(minutes=5)
    )
    verifier = TokenVerifier(DEV_JWT_PUBLIC_KEY, "iss", "aud")
    done = await handlers.register_partner(
        commands.RegisterPartner(profile(), [], ALL_PRINCIPLES), uow, lambda: NOW, secret_of
    )
    token, principal = await handlers.issue_token(
        commands.IssueToken(done.api_key), uow, issuer, "admin-key-123"
    )
    assert verifier.verify(token).partner_id == done.partner_id and principal.role is Role.PARTNER
    token, principal = await handlers.issue_token(
        commands.IssueToken("admin-key-123"), uow, issuer, "admin-key-123"
    )
    assert verifier.verify(token).role is Role.SECRETARIAT
    with pytest.raises(InvalidCredentials):
        await handlers.issue_token(commands.IssueToken("pk_unknown"), uow, issuer, "admin-key-123")
    await handlers.change_status(
        commands.ChangePartnerStatus(done.partner_id, "reject", "s", "no"), uow, lambda: NOW
    )
    with pytest.raises(PartnerNotAllowed):
        await handlers.issue_token(commands.IssueToken(done.api_key), uow, issuer, "admin-key-123")


async def test_an_extra_keys_token_carries_its_scope_and_its_key_as_subject() -> None:
    uow = FakeUnitOfWork()
    issuer = TokenIssuer(DEV_JWT_PRIVATE_KEY, "iss", "aud", timedelta(minutes=5))
    done = await handlers.register_partner(
        commands.RegisterPartner(profile(), [], ALL_PRINCIPLES), uow, lambda: NOW, secret_of
    )
    key, secret = ApiKey.issue(
        partner_id=done.partner_id, label="ERP", scope=KeyScope.REPORTING, by="bo", at=NOW
    )
    await uow.api_keys.add(key)
    token, _ = await handlers.issue_token(commands.IssueToken(secret), uow, issuer, "admin-key")
    principal = TokenVerifier(DEV_JWT_PUBLIC_KEY, "iss", "aud").verify(token)
    assert (principal.subject, principal.partner_id) == (key.id, done.partner_id)
    assert principal.key_scope is KeyScope.REPORTING


async def test_profile_changes_that_change_nothing_emit_nothing() -> None:
    uow = FakeUnitOfWork()
    done = await handlers.register_partner(
        commands.RegisterPartner(profile(), [], ALL_PRINCIPLES), uow, lambda: NOW, secret_of
    )
    await handlers.update_profile(
        commands.UpdateProfile(done.partner_id, {"contact_name": "Jana"}, "p"),
        uow,
        lambda: NOW,
        secret_of,
    )
    assert uow.commits == 1
    await handlers.update_profile(
        commands.UpdateProfile(done.partner_id, {"contact_name": "Eva"}, "p"),
        uow,
        lambda: NOW,
        secret_of,
    )
    assert uow.commits == 2 and isinstance(uow.published[-1], events.PartnerUpdated)
    with pytest.raises(InvalidRegistration) as info:
        await handlers.update_profile(
            commands.UpdateProfile(done.partner_id, {"countries": ("FR",)}, "p"),
            uow,
            lambda: NOW,
            secret_of,
        )
    assert info.value.field == "countries"


async def test_a_webhook_gets_a_secret_of_its_own_when_set_and_rotated_with_an_overlap() -> None:
    """Registering or setting a webhook URL issues a new secret version (answered once, as
    the secret derived from it); clearing the URL or changing another field issues none; a
    rotation keeps the previous version signing for the overlap, and needs a webhook."""
    uow = FakeUnitOfWork()
    hook = {"webhook_url": "https://hooks.acme.example/pact"}
    done = await handlers.register_partner(
        commands.RegisterPartner(profile(**hook), [], ALL_PRINCIPLES), uow, lambda: NOW, secret_of
    )
    pid = done.partner_id
    assert done.webhook_secret == secret_of(pid, 1) and len(key_of(done.webhook_secret)) == 32
    partner = uow.partners.stored[pid]
    assert (partner.webhook_secret_version, partner.webhook_previous_secret_until) == (1, None)

    async def update(**changes: Any) -> str | None:
        cmd = commands.UpdateProfile(pid, changes, "p")
        return await handlers.update_profile(cmd, uow, lambda: NOW, secret_of)

    assert await update(contact_name="Eva") is None
    assert await update(webhook_url="https://hooks.acme.example/v2") == secret_of(pid, 2)
    assert await update(webhook_url="https://hooks.acme.example/v2") is None  # unchanged
    assert await update(webhook_url=None) is None
    with pytest.raises(NoWebhook):
        rotate = commands.RotateWebhookSecret(pid, "p", timedelta(hours=1))
        await handlers.rotate_webhook_secret(rotate, uow, lambda: NOW, secret_of)
    assert await update(webhook_url="https://hooks.acme.example/v3") == secret_of(pid, 3)
    rotate = commands.RotateWebhookSecret(pid, "p", timedelta(hours=1))
    rotated, secret = await handlers.rotate_webhook_secret(rotate, uow, lambda: NOW, secret_of)
    assert secret == secret_of(pid, 4) != secret_of(pid, 3) != secret_of("p-other", 3)
    assert rotated.webhook_previous_secret_until == NOW + timedelta(hours=1)
    assert isinstance(uow.published[-1], events.PartnerUpdated)
    assert uow.published[-1].changed_fields == ("webhook_secret",)
    at_once = commands.RotateWebhookSecret(pid, "p", timedelta(0))
    rotated, _ = await handlers.rotate_webhook_secret(at_once, uow, lambda: NOW, secret_of)
    assert (rotated.webhook_secret_version, rotated.webhook_previous_secret_until) == (5, None)
    assert uow.partners.stored[pid].new_transitions[-1].action == "rotate_webhook_secret"


async def test_credentials_change_with_a_rotated_key_and_when_tokens_end() -> None:
    """The credential version a token carries: one more on a key rotation and when the
    partner may no longer get a token (suspended, withdrawn, rejected); not on approval or
    reinstatement, so a token of before a suspension stays revoked."""
    partner, _ = Partner.register(
        profile(), partnerships=[], principles_accepted=ALL_PRINCIPLES, at=NOW
    )
    seen = [partner.credential_version]
    for action in ("approve", "suspend", "reinstate"):
        partner.transition(action, actor="s", reason="r", at=NOW)
        seen.append(partner.credential_version)
    new_key = partner.rotate_api_key(actor="p", at=NOW)
    seen.append(partner.credential_version)
    partner.transition("withdraw", actor="p", reason="r", at=NOW)
    seen.append(partner.credential_version)
    assert seen == [1, 1, 2, 2, 3, 4]
    assert partner.holds_key(new_key) and not partner.holds_key(new_key[:-1])
    rotated = [e for e in partner.events if isinstance(e, events.PartnerUpdated)]
    assert [e.changed_fields for e in rotated] == [("credential_version",)]


async def test_step_up_takes_the_callers_current_key_only() -> None:
    uow = FakeUnitOfWork()
    done = await handlers.register_partner(
        commands.RegisterPartner(profile(), [], ALL_PRINCIPLES), uow, lambda: NOW, secret_of
    )
    other = await handlers.register_partner(
        commands.RegisterPartner(profile(legal_name="Other", vat=None), [], ALL_PRINCIPLES),
        uow,
        lambda: NOW,
        secret_of,
    )
    pid = done.partner_id
    await handlers.prove_api_key(commands.ProveApiKey(pid, done.api_key), uow, "admin-key-123")
    await handlers.prove_api_key(commands.ProveApiKey(None, "admin-key-123"), uow, "admin-key-123")
    for partner_id, key in (
        (pid, None),
        (pid, ""),
        (pid, other.api_key),
        (pid, "admin-key-123"),
        (None, done.api_key),
        ("p-nobody", done.api_key),
    ):
        with pytest.raises(ApiKeyRequired):
            await handlers.prove_api_key(
                commands.ProveApiKey(partner_id, key), uow, "admin-key-123"
            )
    rotated = await handlers.rotate_api_key(commands.RotateApiKey(pid, pid), uow, lambda: NOW)
    with pytest.raises(ApiKeyRequired):
        await handlers.prove_api_key(commands.ProveApiKey(pid, done.api_key), uow, "admin-key-123")
    await handlers.prove_api_key(commands.ProveApiKey(pid, rotated), uow, "admin-key-123")
