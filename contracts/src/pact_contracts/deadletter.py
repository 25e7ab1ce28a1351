"""Messages a consumer could not read, kept with the reason and the original bytes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, TypeAdapter

from .envelope import Event, text


class MessageDeadLettered(Event):
    event_type: Literal["MessageDeadLettered"] = "MessageDeadLettered"
    source_topic: str = text("Topic the message came from.", "registry.partner-events.v1")
    source_partition: int = Field(ge=0, description="Its partition.", examples=[0])
    source_offset: int = Field(ge=0, description="Its offset.", examples=[42])
    consumer_group: str = text("The consumer that gave up on it.", "commitments.partner-events")
    key: str | None = text(
        "Message key, base64.", "cC0zZjJhOWMxZQ==", max_length=2000, default=None
    )
    payload_b64: str = text(
        "The original bytes, base64.", "eyJldmVudF90eXBlIjogLi4ufQ==", max_length=2_000_000
    )
    reason: str = text("Short reason code.", "invalid", max_length=100)
    error: str = text(
        "What is wrong, naming the field and the rule.",
        "partner_version: Field required",
        max_length=8000,
    )


DEAD_LETTERS: TypeAdapter[MessageDeadLettered] = TypeAdapter(MessageDeadLettered)
