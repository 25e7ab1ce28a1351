"""Kafka subscriptions of the registry: none. It is the source of truth for partners and
learns nothing from other services; it only publishes registry.partner-events.v1."""

from __future__ import annotations

from pact_common.runtime import Runtime
from pact_contracts import PARTNER_EVENTS


def register(runtime: Runtime) -> None:
    """Declare what the registry publishes, for its AsyncAPI document."""
    runtime.declare_publisher(PARTNER_EVENTS)
