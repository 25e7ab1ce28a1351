"""The Partner aggregate: registration, lifecycle by the secretariat, profile, partnerships
and credentials (its API key, its webhook secret's version). Pure Python."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from pact_common.text import is_blank
from pact_common.vocabulary import PartnerStatus

from . import events as facts
from .credentials import hash_api_key, holds_key, new_api_key
from .errors import IllegalTransition, InvalidRegistration, NoWebhook
from .partnership import DIGITAL_ECOSYSTEM

PRINCIPLES = (
    "lifelong_learning",
    "skills_partnerships",
    "skills_intelligence",
    "equal_opportunities",
)
COMPANY_TYPES = frozenset({"company", "sme"})
SME_SIZES = frozenset({"micro", "small", "medium"})
PROFILE_FIELDS = (
    "legal_name", "website", "contact_name", "contact_email", "countries", "size_class",
    "webhook_url", "signing_public_key", "vat", "euid", "pic",
)  # fmt: skip


#: A partner's standing: the shared vocabulary's word, under the registry's name for it
Status = PartnerStatus


def is_closed(status: Status) -> bool:
    """Withdrawn or rejected, for good: the partner's profile, partnerships and key no
    longer change, and its tokens no longer work."""
    return status in (Status.WITHDRAWN, Status.REJECTED)


def may_get_token(status: Status) -> bool:
    """Pending partners (to see to their own registration) and active ones sign in; a
    suspended, withdrawn or rejected partner's tokens are refused by every service."""
    return status in (Status.PENDING, Status.ACTIVE)


#: action -> (statuses it may start from, status it leads to, domain event)
TRANSITIONS: dict[str, tuple[frozenset[Status], Status, type[facts.PartnerEvent]]] = {
    "approve": (frozenset({Status.PENDING}), Status.ACTIVE, facts.PartnerApproved),
    "reject": (frozenset({Status.PENDING}), Status.REJECTED, facts.PartnerRejected),
    "suspend": (frozenset({Status.ACTIVE}), Status.SUSPENDED, facts.PartnerSuspended),
    "reinstate": (frozenset({Status.SUSPENDED}), Status.ACTIVE, facts.PartnerReinstated),
    "withdraw": (
        frozenset({Status.PENDING, Status.ACTIVE, Status.SUSPENDED}),
        Status.WITHDRAWN,
        facts.PartnerWithdrawn,
    ),
}


def normalise_name(name: str) -> str:
    """Case, accents, punctuation and spacing do not make another organisation."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    joined = re.sub(r"[.'\u2019]", "", plain)  # S.E. is SE, O'Neil is ONeil
    return " ".join(re.sub(r"[^0-9a-z]+", " ", joined).split())


@dataclass(frozen=True)
class Transition:
    """One line of a partner's audit trail."""

    at: datetime
    action: str
    actor: str
    from_status: str | None
    to_status: str
    reason: str | None = None
    changes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Profile:
    legal_name: str
    organisation_type: str
    hq_country: str
    countries: tuple[str, ...]
    contact_name: str
    contact_email: str
    size_class: str | None = None
    website: str | None = None
    vat: str | None = None
    euid: str | None = None
    pic: str | None = None
    webhook_url: str | None = None
    signing_public_key: str | None = None

    def check(self) -> None:
        if self.organisation_type in COMPANY_TYPES and self.size_class is None:
            raise InvalidRegistration(
                f"size_class is required for organisation_type {self.organisation_type}",
                field="size_class",
                code="size_class_required",
            )
        if self.organisation_type not in COMPANY_TYPES and self.size_class is not None:
            raise InvalidRegistration(
                "size_class applies to companies and SMEs only",
                field="size_class",
                code="size_class_not_applicable",
            )
        if self.organisation_type == "sme" and self.size_class not in SME_SIZES:
            raise InvalidRegistration(
                "an SME is micro, small or medium, not large",
                field="size_class",
                code="sme_size_class",
            )
        if is_blank(self.legal_name):
            raise InvalidRegistration("legal_name must not be blank", field="legal_name")

    @property
    def name_key(self) -> str:
        return f"{self.hq_country}:{normalise_name(self.legal_name)}"

    def identifiers(self) -> dict[str, str]:
        return {k: v for k, v in (("vat", self.vat), ("euid", self.euid), ("pic", self.pic)) if v}


@dataclass
class Partner:
    id: str
    profile: Profile
    partnerships: list[str]
    api_key_hash: str
    registered_at: datetime
    status: Status = Status.PENDING
    version: int = 1
    #: the version of the secret that signs its webhook deliveries (0: none issued yet); the
    #: secret itself is derived from it (pact_common.webhook_secrets), never kept
    webhook_secret_version: int = 0
    #: until when the previous version signs too (a rotation's overlap)
    webhook_previous_secret_until: datetime | None = None
    #: its tokens carry the version they were issued at; every service refuses older ones.
    #: One more when the API key is rotated or the partner may no longer get a token.
    credential_version: int = 1
    #: audit-trail lines recorded since the partner was loaded (stored on commit)
    new_transitions: list[Transition] = field(default_factory=list)
    events: list[Any] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def register(
        cls,
        profile: Profile,
        *,
        partnerships: list[str],
        principles_accepted: dict[str, bool],
        at: datetime,
        partner_id: str | None = None,
    ) -> tuple[Partner, str]:
        """A new pending partner and its API key (shown once; only the hash is kept)."""
        refused = [p for p in PRINCIPLES if not principles_accepted.get(p)]
        if refused:
            raise InvalidRegistration(
                "all four Pact for Skills charter principles must be accepted; not accepted: "
                + ", ".join(refused),
                field=f"principles.{refused[0]}",
            )
        profile.check()
        if profile.hq_country not in profile.countries:
            profile = replace(profile, countries=(profile.hq_country, *profile.countries))
        api_key = new_api_key()
        partner = cls(
            id=partner_id or "p-" + secrets.token_hex(6),
            profile=profile,
            partnerships=list(dict.fromkeys(partnerships or [DIGITAL_ECOSYSTEM])),
            api_key_hash=hash_api_key(api_key),
            registered_at=at,
        )
        if profile.webhook_url:
            partner._issue_webhook_secret(overlap_until=None)
        partner.new_transitions.append(
            Transition(at, "register", "partner", None, Status.PENDING.value)
        )
        partner.events.append(facts.PartnerRegistered(partner.id, actor=partner.id))
        return partner, api_key

    def _note(self, at: datetime, action: str, actor: str, changes: tuple[str, ...] = ()) -> None:
        """An audit-trail line for a change that keeps the status."""
        status = self.status.value
        self.new_transitions.append(Transition(at, action, actor, status, status, changes=changes))

    def _changed(self, event: facts.PartnerEvent) -> None:
        self.version += 1
        self.events.append(event)

    def transition(self, action: str, *, actor: str, reason: str | None, at: datetime) -> None:
        allowed_from, to, event = TRANSITIONS[action]
        if self.status not in allowed_from:
            raise IllegalTransition(action, self.status.value)
        self.new_transitions.append(
            Transition(at, action, actor, self.status.value, to.value, reason)
        )
        self.status = to
        if not may_get_token(to):  # the tokens it holds end with it
            self.credential_version += 1
        self._changed(event(self.id, actor=actor, reason=reason))

    def update_profile(self, changes: dict[str, Any], *, actor: str, at: datetime) -> list[str]:
        """Apply profile changes; returns the fields that really changed."""
        self._require_not_closed("update the profile of")
        unknown = set(changes) - set(PROFILE_FIELDS)
        if unknown:
            raise InvalidRegistration(
                f"{sorted(unknown)[0]} cannot be changed here", field=sorted(unknown)[0]
            )
        current = self.profile
        updated = replace(current, **changes)
        if updated.hq_country not in updated.countries:
            raise InvalidRegistration(
                f"countries must include the headquarters country {updated.hq_country}",
                field="countries",
                code="hq_country_not_in_countries",
            )
        updated.check()
        changed = [f for f in changes if getattr(current, f) != getattr(updated, f)]
        if not changed:
            return []
        self.profile = updated
        if "webhook_url" in changed and updated.webhook_url:  # a new receiver, a new secret
            self._issue_webhook_secret(overlap_until=None)
        self._note(at, "update", actor, tuple(changed))
        self._changed(facts.PartnerUpdated(self.id, actor=actor, changed_fields=tuple(changed)))
        if "signing_public_key" in changed and updated.signing_public_key:
            self._changed(facts.PartnerSigningKeyRegistered(self.id, actor=actor))
        return changed

    def join(self, partnership_id: str, *, actor: str, at: datetime) -> bool:
        self._require_not_closed("add a partnership to")
        if partnership_id in self.partnerships:
            return False
        self.partnerships.append(partnership_id)
        self._note(at, "join", actor, (partnership_id,))
        self._changed(
            facts.PartnerJoinedPartnership(self.id, actor=actor, partnership_id=partnership_id)
        )
        return True

    def leave(self, partnership_id: str, *, actor: str, at: datetime) -> bool:
        if partnership_id not in self.partnerships:
            return False
        self.partnerships.remove(partnership_id)
        self._note(at, "leave", actor, (partnership_id,))
        self._changed(
            facts.PartnerLeftPartnership(self.id, actor=actor, partnership_id=partnership_id)
        )
        return True

    def rotate_api_key(self, *, actor: str, at: datetime) -> str:
        """A new key; the old one and every token issued before stop working. The event
        carries the new credential version, never the key."""
        self._require_not_closed("rotate the key of")
        api_key = new_api_key()
        self.api_key_hash = hash_api_key(api_key)
        self.credential_version += 1
        self._note(at, "rotate_api_key", actor)
        changes = ("credential_version",)
        self._changed(facts.PartnerUpdated(self.id, actor=actor, changed_fields=changes))
        return api_key

    def holds_key(self, api_key: str) -> bool:
        """Whether `api_key` is the partner's current API key (the step-up proof)."""
        return holds_key(self.api_key_hash, api_key)

    def rotate_webhook_secret(self, *, actor: str, at: datetime, overlap: timedelta) -> int:
        """A new webhook secret version; the previous one signs too for `overlap` (none:
        it stops at once). Returns the new version."""
        self._require_not_closed("rotate the webhook secret of")
        if not self.profile.webhook_url:
            raise NoWebhook(
                f"partner {self.id} has no webhook_url: setting one issues a secret",
                field="webhook_url",
            )
        self._issue_webhook_secret(overlap_until=at + overlap if overlap > timedelta(0) else None)
        changes = ("webhook_secret",)
        self._note(at, "rotate_webhook_secret", actor, changes)
        self._changed(facts.PartnerUpdated(self.id, actor=actor, changed_fields=changes))
        return self.webhook_secret_version

    def _issue_webhook_secret(self, *, overlap_until: datetime | None) -> None:
        self.webhook_secret_version += 1
        self.webhook_previous_secret_until = overlap_until

    def _require_not_closed(self, what: str) -> None:
        if is_closed(self.status):
            raise IllegalTransition(what, self.status.value)
