"""Request and response bodies of the registry's HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Self

from email_validator import SPECIAL_USE_DOMAIN_NAMES
from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    field_validator,
)
from pydantic_core import PydanticCustomError

from pact_common.http import Page, Reason, Text
from pact_contracts.vocabulary import CountryCode, OrganisationType, SizeClass

from .credential_schemas import WEBHOOK_SECRET

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
Vat = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}[0-9A-Z+*.]{2,13}$")]
Euid = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}[A-Za-z0-9.\-]{3,60}$")]
Pic = Annotated[str, StringConstraints(pattern=r"^[0-9]{9}$")]
Ed25519Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9+/]{43}=$")]

_HTTP_URL: TypeAdapter[AnyHttpUrl] = TypeAdapter(AnyHttpUrl)


def _http_url(value: str) -> str:
    """An http(s) URL, kept as given: its normalised form may be longer (a `/` added, a host
    in punycode) than the 2000 characters the schema and the partner events allow."""
    try:
        _HTTP_URL.validate_python(value)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise PydanticCustomError(error["type"], error["msg"]) from None
    return value


Url = Annotated[
    str,
    StringConstraints(min_length=1, max_length=2000),
    AfterValidator(_http_url),
    Field(json_schema_extra={"format": "uri"}),
]


def special_use_domains(names: list[str]) -> str:
    """`@` then one of `names` (or a subdomain of one) at the end, in any case."""
    spelled = ("".join(f"[{c.upper()}{c}]" if c.isalpha() else c for c in n) for n in names)
    return rf"@(.*\.)?({'|'.join(spelled)})$"


#: email-validator refuses addresses at the special-use domains of RFC 6761 (`x@y.test`),
#: which receive no mail: the schema says so.
ContactEmail = Annotated[
    EmailStr,
    Field(json_schema_extra={"not": {"pattern": special_use_domains(SPECIAL_USE_DOMAIN_NAMES)}}),
]


def _accepted(value: bool) -> bool:
    if value is not True:
        raise PydanticCustomError("principle_not_accepted", "every principle must be accepted")
    return value


#: `true`, and only `true` (not 1, not "true"): the schema says `const: true`.
Accepted = Annotated[
    StrictBool, AfterValidator(_accepted), Field(json_schema_extra={"const": True})
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Principles(_Body):
    """Acceptance of each of the four Pact for Skills charter principles: all four are
    required, and each must be accepted (`true`)."""

    lifelong_learning: Accepted = Field(
        description="Promoting a culture of lifelong learning for all."
    )
    skills_partnerships: Accepted = Field(description="Building strong skills partnerships.")
    skills_intelligence: Accepted = Field(
        description="Monitoring skills supply and demand and anticipating skills needs."
    )
    equal_opportunities: Accepted = Field(
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
    contact_email: ContactEmail
    website: Url | None = None
    partnerships: list[Slug] = Field(default_factory=lambda: ["digital-ecosystem"], max_length=20)
    principles: Principles
    webhook_url: Url | None = Field(default=None, description="Where alerts are delivered.")
    signing_public_key: Ed25519Key | None = Field(
        default=None, description="Ed25519 public key, base64 of the 32 raw bytes."
    )


#: Required fields of the profile: a change may leave them out, but not clear them
NOT_NULLABLE = ("legal_name", "contact_name", "contact_email", "countries")


def _not_nullable(schema: dict[str, Any]) -> None:
    """The schema of a field that may be left out but is never null: without its `null`
    branch and its `default: null` (its type says None for a field not given)."""
    for name in NOT_NULLABLE:
        field = schema["properties"][name]
        field.pop("default")
        (given,) = [b for b in field.pop("anyOf") if b != {"type": "null"}]
        field.update(given)


class ProfileChanges(_Body):
    """Fields a partner may change; status is the secretariat's. `null` clears an optional
    field; a required one (legal name, contact, countries) may be left out but not cleared,
    and the schema says so (not nullable)."""

    model_config = ConfigDict(json_schema_extra=_not_nullable)

    legal_name: Text | None = None
    vat: Vat | None = None
    euid: Euid | None = None
    pic: Pic | None = None
    size_class: SizeClass | None = None
    countries: list[CountryCode] | None = Field(default=None, min_length=1, max_length=31)
    contact_name: Text | None = None
    contact_email: ContactEmail | None = None
    website: Url | None = None
    webhook_url: Url | None = None
    signing_public_key: Ed25519Key | None = None

    @field_validator(*NOT_NULLABLE, mode="before")
    @classmethod
    def _required_stays_set(cls, value: Any) -> Any:
        if value is None:
            raise PydanticCustomError("not_nullable", "this field is required and cannot be null")
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
    webhook_secret: str | None = Field(
        default=None, description=WEBHOOK_SECRET + " Only when a webhook_url was registered."
    )


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
    webhook_secret_version: int | None = Field(
        default=None, description="The version of the webhook's secret (never the secret)."
    )
    webhook_previous_secret_until: datetime | None = Field(
        default=None, description="Until when deliveries also carry the previous secret's."
    )

    @classmethod
    def from_doc(cls, doc: dict[str, Any], *, full: bool) -> Self:
        public = {k: doc.get(k) for k in cls.model_fields if k != "id"} | {"id": doc["_id"]}
        if full:
            public["webhook_secret_version"] = doc.get("webhook_secret_version", 0)
        else:
            for private in (
                "vat",
                "euid",
                "pic",
                "contact_name",
                "contact_email",
                "webhook_url",
                "signing_public_key",
                "webhook_secret_version",
                "webhook_previous_secret_until",
            ):
                public[private] = None
        return cls.model_validate(public)


class UpdatedPartner(PartnerOut):
    webhook_secret: str | None = Field(
        default=None, description=WEBHOOK_SECRET + " Only when the change set a webhook_url."
    )


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
