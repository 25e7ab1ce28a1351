"""What the alert board's HTTP API takes and answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AcknowledgeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(
        min_length=1,
        max_length=2000,
        description="Why and what is being done about it.",
        examples=["Q3 figures are late; the LMS export is fixed and they follow this week."],
    )


class Acknowledgement(BaseModel):
    by: str = Field(description="Who acknowledged: a partner id or `secretariat`.")
    note: str
    at: datetime
    episode: int = Field(description="The episode acknowledged.")


class Alert(BaseModel):
    model_config = ConfigDict(extra="ignore")

    fingerprint: str = Field(description="Stable id of (rule, subject[, milestone]).")
    episode: int = Field(description="Which firing of this fingerprint.")
    status: str = Field(description="firing, resolved or notified.", examples=["firing"])
    rule: str = Field(examples=["MilestoneMissed"])
    severity: str = Field(examples=["warning"])
    subject_type: str = Field(examples=["commitment"])
    subject_id: str
    partner_id: str | None
    partnership_id: str
    metric: str
    expected: float
    actual: float
    due_date: date | None
    message: str
    fired_at: datetime = Field(description="When this episode fired.")
    resolved_at: datetime | None
    acknowledgement: Acknowledgement | None = Field(
        description="Of the current episode; a new episode is not acknowledged yet."
    )
    text_at_firing: str | None = Field(
        default=None, description="The message when this episode fired (kept in its history)."
    )
    current: dict[str, Any] | None = Field(
        default=None,
        description="While firing: its rule's values now (expected, actual, holds), "
        "from the projection at read time.",
    )
    current_text: str | None = Field(
        default=None, description="While firing: the message with today's values."
    )
    muted: str | None = Field(
        default=None,
        description="`silenced` or `inhibited` while its deliveries are held (not sent); "
        "null otherwise.",
    )
    silenced_by: list[str] = Field(default=[], description="The active silences matching it.")
    inhibited_by: list[str] = Field(
        default=[], description="The firing alerts inhibiting it (fingerprints)."
    )

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Alert:
        return cls.model_validate(doc | {"fingerprint": doc["_id"]})


class AlertPage(BaseModel):
    total: int = Field(description="Alerts matching the filters.")
    offset: int
    limit: int
    items: list[Alert]


class Delivery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    delivery_id: str = Field(description="Sent as webhook-id; the same on every attempt.")
    event_id: str = Field(description="The alert event delivered.")
    event_type: str = Field(description="Sent as X-Pact-Event.", examples=["AlertFired"])
    fingerprint: str
    episode: int
    transition: str = Field(examples=["fired"])
    receiver: str = Field(description="`partner:<id>` or `secretariat`.")
    status: str = Field(description="pending, delivered, failed or skipped.")
    attempts: int
    next_attempt_at: datetime | None = Field(
        description="When it is tried again; null once delivered, skipped or given up."
    )
    gave_up: bool = Field(description="Failed with no attempt left.")
    last_attempt_at: datetime | None
    last_error: str | None
    last_status_code: int | None
    delivered_at: datetime | None
    created_at: datetime

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Delivery:
        gave_up = doc["status"] == "failed" and doc.get("next_attempt_at") is None
        return cls.model_validate(doc | {"gave_up": gave_up})


class DeliveryPage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[Delivery]


class AlertWithDeliveries(Alert):
    deliveries: list[Delivery] = Field(description="Its webhook deliveries, every episode.")
