"""The portal's settings: PORTAL_* environment variables.

The portal holds no database and no broker, so it does not take the services' base class
(pact_common.settings.ServiceSettings, which carries Mongo and Kafka); it refuses its
development session secret outside development and tests all the same."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Signs the session cookie on a developer's machine only: it is public, hence worthless.
DEV_SESSION_SECRET = "dev-portal-session-secret-not-for-production"


class PortalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore")

    service_name: str = "portal"
    #: production unless said otherwise, as every service (`make run` and the tests say so)
    environment: Literal["development", "test", "production"] = "production"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    registry_url: str = "http://127.0.0.1:8001"
    commitments_url: str = "http://127.0.0.1:8002"
    monitoring_url: str = "http://127.0.0.1:8003"
    #: where people reach the portal: invitation links are made from it
    public_url: str = "http://127.0.0.1:8000"
    session_secret: SecretStr = SecretStr(DEV_SESSION_SECRET)
    session_secret_file: Path | None = None
    #: a signed-in session lasts this long at most (the registry's token may end sooner)
    session_max_age_seconds: int = Field(default=8 * 3600, ge=300, le=7 * 86400)
    #: an OpenID Connect provider (EU Login speaks OIDC); none: password sign-in only
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_label: str = "EU Login"
    #: a mail server for invitation links (none: the portal shows the link to send by hand)
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "portal@localhost"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    #: how often the dashboard refreshes its figures (seconds)
    dashboard_refresh_seconds: float = Field(default=5.0, ge=1, le=3600)
    #: the partnership the dashboard shows unless ?partnership= says otherwise
    dashboard_partnership: str = "digital-ecosystem"
    #: seconds an upstream API may take before the page says it is unavailable
    api_timeout_seconds: float = Field(default=15.0, gt=0, le=120)
    log_level: str = "INFO"
    log_json: bool | None = None
    forwarded_allow_ips: str = "127.0.0.1"

    @property
    def oidc_configured(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def secure_cookies(self) -> bool:
        """Cookies only over HTTPS, but on a developer's machine and in tests (plain HTTP)."""
        return self.environment == "production"

    @model_validator(mode="after")
    def _refuse_dev_secret(self) -> PortalSettings:
        if self.session_secret_file is not None:
            self.session_secret = SecretStr(self.session_secret_file.read_text().strip())
        if self.environment == "production":
            secret = self.session_secret.get_secret_value()
            if secret == DEV_SESSION_SECRET or len(secret) < 32:
                raise ValueError(
                    "session_secret is the development default or shorter than 32 characters; "
                    "set a real one (or PORTAL_ENVIRONMENT=development on a developer's machine)"
                )
        return self
