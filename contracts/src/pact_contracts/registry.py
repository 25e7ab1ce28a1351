"""Events on `registry.partner-events.v1` (key: partner_id, or partnership_id; a person of the
secretariat: user_id).

Every partner event carries the full partner snapshot and its version, so a consumer
keeps the snapshot with the highest version and converges under duplicates and reordering.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter

from .envelope import Event, text
from .vocabulary import CountryCode, OrganisationType, PartnerStatus, SizeClass


class PartnerSnapshot(BaseModel):
    """What downstream services need to know of a partner; never a secret."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    legal_name: str = text("Registered legal name.", "Acme Cloud Europe SE")
    organisation_type: OrganisationType = Field(
        description="Kind of organisation.", examples=["company"]
    )
    size_class: SizeClass | None = Field(
        default=None, description="Company size class; companies only.", examples=["large"]
    )
    hq_country: CountryCode = Field(description="Headquarters country.", examples=["DE"])
    countries: list[CountryCode] = Field(
        description="Countries of operation.", examples=[["DE", "FR"]]
    )
    status: PartnerStatus = Field(description="Lifecycle status.", examples=["active"])
    partnerships: list[str] = Field(
        description="Ids of the partnerships joined.", examples=[["digital-ecosystem"]]
    )
    webhook_url: str | None = text(
        "Where alerts for this partner are delivered.",
        "https://hooks.acme.example/pact",
        max_length=2000,
        default=None,
    )
    signing_public_key: str | None = text(
        "Ed25519 public key (base64 of the 32 raw bytes) that signs its progress reports.",
        "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=",
        max_length=200,
        default=None,
    )
    webhook_secret_version: int = Field(
        default=0,
        ge=0,
        description="Version of the secret that signs this partner's webhook deliveries "
        "(Standard Webhooks, webhook-signature); a new version each time the webhook URL is "
        "set or the secret rotated, 0 before any. Never the secret itself: the registry and "
        "monitoring derive it from a deployment key they hold.",
        examples=[2],
    )
    webhook_previous_secret_until: AwareDatetime | None = Field(
        default=None,
        description="Until when deliveries are also signed with the previous version's "
        "secret (the overlap of a rotation); none: the current version only.",
        examples=["2026-10-06T09:30:00Z"],
    )
    credential_version: int = Field(
        default=1,
        ge=1,
        description="Version of the partner's credentials: 1 at registration, one more each "
        "time its API key is rotated or it is suspended, withdrawn or rejected. Every token "
        "carries the version it was issued at; a service refuses a partner's token older "
        "than the version it knows. Never a credential itself.",
        examples=[2],
    )


class _PartnerEvent(Event):
    producer: str = text("The system that produced the event.", "registry", default="registry")
    partner_id: str = text("Partner id.", "p-3f2a9c1e", max_length=64)
    partner_version: int = Field(
        ge=1,
        description="Version of the partner after this event; grows by one per change.",
        examples=[3],
    )
    partner: PartnerSnapshot = Field(description="The partner as it is after this event.")
    actor: str | None = text("Who made the change.", "secretariat", default=None)
    reason: str | None = text(
        "Why, where the change has a reason.",
        "Approved by the board",
        max_length=2000,
        default=None,
    )


class PartnerRegistered(_PartnerEvent):
    event_type: Literal["PartnerRegistered"] = "PartnerRegistered"


class PartnerApproved(_PartnerEvent):
    event_type: Literal["PartnerApproved"] = "PartnerApproved"


class PartnerRejected(_PartnerEvent):
    event_type: Literal["PartnerRejected"] = "PartnerRejected"


class PartnerUpdated(_PartnerEvent):
    event_type: Literal["PartnerUpdated"] = "PartnerUpdated"
    changed_fields: list[str] = Field(
        default_factory=list,
        description="Profile fields that changed.",
        examples=[["webhook_url"]],
    )


class PartnerSuspended(_PartnerEvent):
    event_type: Literal["PartnerSuspended"] = "PartnerSuspended"


class PartnerReinstated(_PartnerEvent):
    event_type: Literal["PartnerReinstated"] = "PartnerReinstated"


class PartnerWithdrawn(_PartnerEvent):
    event_type: Literal["PartnerWithdrawn"] = "PartnerWithdrawn"


class PartnerJoinedPartnership(_PartnerEvent):
    event_type: Literal["PartnerJoinedPartnership"] = "PartnerJoinedPartnership"
    partnership_id: str = text("The partnership joined.", "digital-ecosystem", max_length=64)


class PartnerLeftPartnership(_PartnerEvent):
    event_type: Literal["PartnerLeftPartnership"] = "PartnerLeftPartnership"
    partnership_id: str = text("The partnership left.", "digital-ecosystem", max_length=64)


class PartnerSigningKeyRegistered(_PartnerEvent):
    event_type: Literal["PartnerSigningKeyRegistered"] = "PartnerSigningKeyRegistered"


class PartnershipCreated(Event):
    event_type: Literal["PartnershipCreated"] = "PartnershipCreated"
    producer: str = text("The system that produced the event.", "registry", default="registry")
    partnership_id: str = text("Partnership id.", "digital-ecosystem", max_length=64)
    name: str = text("Name.", "Digital Ecosystem Skills Partnership")
    ecosystem: str = text("Industrial ecosystem of the EU Industrial Strategy.", "digital")
    description: str = text(
        "What the partnership is for.",
        "Up- and reskilling for the digital ecosystem",
        max_length=5000,
        default="",
    )


NotificationMode = Literal["immediately", "daily", "off"]


class NotificationPreferences(BaseModel):
    """How a person wants alerts by email, per severity."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    critical: NotificationMode = Field(
        default="immediately",
        description="Critical alerts: at once (grouped), in the daily digest, or not at all.",
        examples=["immediately"],
    )
    warning: NotificationMode = Field(
        default="immediately", description="Warning alerts.", examples=["immediately"]
    )
    info: NotificationMode = Field(
        default="daily", description="Informational alerts.", examples=["daily"]
    )


class PersonUpdated(Event):
    """A person's account as it is now (full snapshot): sent when an account is created,
    changes role or status, or changes its notification preferences. A consumer keeps the
    snapshot with the highest version per user_id."""

    event_type: Literal["PersonUpdated"] = "PersonUpdated"
    producer: str = text("The system that produced the event.", "registry", default="registry")
    user_id: str = text("The person's user id.", "usr-4f1c2a9b0d3e5f67", max_length=64)
    email: str = text("The person's email address.", "ana@acme.example", max_length=254)
    name: str = text("The person's name.", "Ana Silva", max_length=200)
    partner_id: str | None = text(
        "The person's organisation; null: the secretariat.", "p-3f2a9c1e", default=None
    )
    role: str = text("The person's role.", "coordinator", max_length=40)
    status: Literal["active", "disabled"] = Field(
        description="Whether the account may sign in (and receive email).", examples=["active"]
    )
    notifications: NotificationPreferences = Field(
        default_factory=NotificationPreferences,
        description="How the person wants alerts by email.",
    )
    version: int = Field(ge=1, description="Version of the account after this event.", examples=[2])


PartnerEvent = Annotated[
    PartnerRegistered
    | PartnerApproved
    | PartnerRejected
    | PartnerUpdated
    | PartnerSuspended
    | PartnerReinstated
    | PartnerWithdrawn
    | PartnerJoinedPartnership
    | PartnerLeftPartnership
    | PartnerSigningKeyRegistered
    | PartnershipCreated
    | PersonUpdated,
    Field(discriminator="event_type"),
]
PARTNER_EVENTS: TypeAdapter[PartnerEvent] = TypeAdapter(PartnerEvent)
