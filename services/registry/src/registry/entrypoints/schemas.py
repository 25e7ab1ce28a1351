"""Request and response bodies of the registry's HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
)

from pact_common.http import Page, Reason, Text
from pact_contracts.vocabulary import CountryCode, OrganisationType, SizeClass

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
Vat = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}[0-9A-Z+*.]{2,13}$")]
Euid = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}[A-Za-z0-9.\-]{3,60}$")]
Pic = Annotated[str, StringConstraints(pattern=r"^[0-9]{9}$")]
Ed25519Key = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9+/]{43}=$", strip_whitespace=True)
]
Url = Annotated[AnyHttpUrl, Field(max_length=2000)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Principles(_Body):
    """Acceptance of each of the four Pact for Skills charter principles; all are required."""

    lifelong_learning: bool = Field(description="Promoting a culture of lifelong learning for all.")
    skills_partnerships: bool = Field(description="Building strong skills partnerships.")
    skills_intelligence: bool = Field(
        description="Monitoring skills supply and demand and anticipating skills needs."
    )
    equal_opportunities: bool = Field(
        description="Working against discrimination and for gender equality and equal "
        "opportunities."
    )


class Registration(_Body):
    legal_name: Text = Field(examples=["Acme Cloud Europe SE"])
    vat: Vat | None = Field(
        default=None, description="VAT number with country prefix.", examples=["DE123456789"]
    )
    euid: Euid | None = Field(default=None, description="European Unique Identifier.")
    pic: Pic | None = Field(default=None, description="EU Participant Identification Code.")
    organisation_type: OrganisationType
    size_class: SizeClass | None = Field(default=None, description="Companies and SMEs only.")
    hq_country: CountryCode
    countries: list[CountryCode] = Field(
        default_factory=list, max_length=31, description="Countries of operation (EU/EEA)."
    )
    contact_name: Text
    contact_email: EmailStr
    website: Url | None = None
    partnerships: list[Slug] = Field(default_factory=lambda: ["digital-ecosystem"], max_length=20)
    principles: Principles
    webhook_url: Url | None = Field(default=None, description="Where alerts are delivered.")
    signing_public_key: Ed25519Key | None = Field(
        default=None, description="Ed25519 public key, base64 of the 32 raw bytes."
    )


class ProfileChanges(_Body):
    """Fields a partner may change; status is the secretariat's. `null` clears an optional
    field; a required one (legal name, contact, countries) cannot be cleared."""

    legal_name: Text | None = None
    vat: Vat | None = None
    euid: Euid | None = None
    pic: Pic | None = None
    size_class: SizeClass | None = None
    countries: list[CountryCode] | None = Field(default=None, min_length=1, max_length=31)
    contact_name: Text | None = None
    contact_email: EmailStr | None = None
    website: Url | None = None
    webhook_url: Url | None = None
    signing_public_key: Ed25519Key | None = None

    @field_validator("legal_name", "contact_name", "contact_email", "countries", mode="before")
    @classmethod
    def _required_stays_set(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("this field is required and cannot be null")
        return value


class StatusChange(_Body):
    reason: Reason = Field(
        description="Why; recorded in the audit trail.", examples=["Charter signed and checked"]
    )


class OptionalReason(_Body):
    reason: Reason | None = None


class JoinRequest(_Body):
    partnership_id: Slug


class NewPartnership(_Body):
    id: Slug = Field(examples=["digital-ecosystem"])
    name: Text
    ecosystem: Text = Field(examples=["digital"])
    description: Annotated[str, StringConstraints(max_length=5000)] = ""


class TokenRequest(_Body):
    api_key: Annotated[str, StringConstraints(min_length=8, max_length=200)] = Field(
        description="A partner's API key, or the secretariat's admin key."
    )


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    role: str
    partner_id: str | None


class RegisteredPartner(BaseModel):
    partner_id: str
    status: str
    api_key: str = Field(description="Shown once; only its hash is stored.")


class ApiKey(BaseModel):
    api_key: str = Field(description="The new key, shown once; the old one stops working.")


class PartnerOut(BaseModel):
    id: str
    legal_name: str
    organisation_type: str
    size_class: str | None
    hq_country: str
    countries: list[str]
    status: str
    partnerships: list[str]
    website: str | None
    registered_at: datetime
    version: int
    # Only for the partner itself and the secretariat:
    vat: str | None = None
    euid: str | None = None
    pic: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    webhook_url: str | None = None
    signing_public_key: str | None = None

    @classmethod
    def from_doc(cls, doc: dict[str, Any], *, full: bool) -> PartnerOut:
        public = {k: doc.get(k) for k in cls.model_fields if k != "id"} | {"id": doc["_id"]}
        if not full:
            for private in (
                "vat",
                "euid",
                "pic",
                "contact_name",
                "contact_email",
                "webhook_url",
                "signing_public_key",
            ):
                public[private] = None
        return cls.model_validate(public)


class PartnerPage(Page):
    items: list[PartnerOut]


class HistoryEntry(BaseModel):
    at: datetime
    action: str
    actor: str
    from_status: str | None
    to_status: str
    reason: str | None
    changes: list[str]


class PartnershipOut(BaseModel):
    id: str
    name: str
    ecosystem: str
    description: str
    created_at: datetime
