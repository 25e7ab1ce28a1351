"""Request and response bodies of the routes that issue a partner's credentials again."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from pact_common.http import Text


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


WEBHOOK_SECRET = (
    "The secret that signs the webhook's deliveries (Standard Webhooks: `whsec_` and base64), "
    "shown once; verify each delivery's webhook-signature with it, for instance with the "
    "`standardwebhooks` package."
)


#: at most a week of overlap: two secrets valid for longer are two secrets to steal
MAX_OVERLAP_SECONDS = 7 * 24 * 3600


class WebhookSecretRotation(_Body):
    #: a JSON integer, as the schema says (not false, not "60")
    overlap_seconds: StrictInt | None = Field(
        default=None,
        ge=0,
        le=MAX_OVERLAP_SECONDS,
        description="How long deliveries are also signed with the previous secret, so the "
        "receiver can switch over; 0 ends the previous secret at once (it leaked). Default: "
        "the registry's REGISTRY_WEBHOOK_SECRET_OVERLAP_SECONDS (a day).",
        examples=[86400],
    )


class WebhookSecret(BaseModel):
    webhook_secret: str = Field(description=WEBHOOK_SECRET)
    webhook_secret_version: int = Field(description="Its version; grows by one per secret.")
    webhook_previous_secret_until: datetime | None = Field(
        description="Until when deliveries also carry the previous secret's signature."
    )


class ApiKey(BaseModel):
    api_key: str = Field(description="The new key, shown once; the old one stops working.")


class NewApiKey(_Body):
    label: Text = Field(description="What the key is for, to tell keys apart.")
    scope: Literal["reporting"] = Field(
        description="What the key may do: `reporting`, report progress and read its "
        "rejections (monitoring's /progress routes), nothing else."
    )


class ApiKeyOut(BaseModel):
    key_id: str = Field(examples=["key-4f1c2a9b0d3e"])
    label: str
    scope: str
    created_at: datetime
    created_by: str


class ApiKeyCreated(BaseModel):
    key_id: str
    api_key: str = Field(description="Shown once; only its hash is stored. POST /auth/token.")
    label: str
    scope: str


class ApiKeyList(BaseModel):
    items: list[ApiKeyOut]
