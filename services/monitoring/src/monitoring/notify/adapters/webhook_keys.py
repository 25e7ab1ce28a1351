"""The keys that sign each receiver's deliveries: a partner's are derived from the
deployment key (MONITORING_WEBHOOK_KEY, the registry's too) with its id and the secret
versions valid now, so no partner's secret is ever stored or read off a topic; the
secretariat's are monitoring's settings (the current one, and the previous during a
rotation)."""

from __future__ import annotations

from dataclasses import dataclass

from monitoring.notify.domain.delivery import Destination, partner_of
from pact_common.webhook_secrets import key_of, partner_secret


@dataclass(frozen=True, repr=False)
class WebhookKeys:
    deployment_key: str
    #: the secretariat's receiver's secrets (whsec_), the current one first
    secretariat: tuple[str, ...]

    def __post_init__(self) -> None:
        for secret in self.secretariat:
            key_of(secret)  # refuses one that is not a secret

    def __repr__(self) -> str:
        return "WebhookKeys(<secret>)"

    def of(self, receiver: str, to: Destination) -> list[bytes]:
        partner_id = partner_of(receiver)
        if partner_id is None:
            return [key_of(secret) for secret in self.secretariat]
        return [
            key_of(partner_secret(self.deployment_key, partner_id, version))
            for version in to.secret_versions
        ]
