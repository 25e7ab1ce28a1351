"""The envelope every event on every topic shares."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator


def utc_now() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    """Envelope fields; concrete events add `event_type` and their payload fields."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)

    event_id: UUID = Field(
        default_factory=uuid4,
        description="Unique id of this event; consumers use it to apply each event once.",
        examples=["8d0c4a9e-2f7b-4a58-9f0e-3c1d2b4a5e6f"],
    )
    schema_version: int = Field(
        default=1,
        ge=1,
        le=1,
        description="Version of this event's schema; breaking changes go to a new .v2 topic.",
        examples=[1],
    )
    occurred_at: AwareDatetime = Field(
        default_factory=utc_now,
        description="When the fact happened, ISO 8601 with a time zone; stored as UTC.",
        examples=["2026-10-05T09:30:00Z"],
    )
    producer: str = Field(
        min_length=1,
        max_length=100,
        description="The system that produced the event.",
        examples=["registry"],
    )
    correlation_id: str | None = Field(
        default=None,
        max_length=100,
        description="Id shared by every event caused by one user action.",
        examples=["req-4f1c2a"],
    )
    causation_id: str | None = Field(
        default=None,
        max_length=100,
        description="event_id (or request id) of what directly caused this event.",
        examples=["0b9e1d2c-5a77-4b0e-8d2e-6a1f0e7c9b11"],
    )

    @field_validator("occurred_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        try:
            return value.astimezone(UTC)
        except OverflowError:  # 9999-12-31T23:59:59-01:00 is in the year 10000 in UTC
            raise ValueError("is out of range once converted to UTC (years 1 to 9999)") from None

    def to_bytes(self) -> bytes:
        """The wire form: UTF-8 JSON."""
        return self.model_dump_json().encode()

    def to_jsonable(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def text(description: str, example: str, max_length: int = 200, **kw: Any) -> Any:
    """A required or defaulted string field with its description and one example."""
    return Field(description=description, examples=[example], max_length=max_length, **kw)
