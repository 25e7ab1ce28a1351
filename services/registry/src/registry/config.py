"""The registry's settings: REGISTRY_* environment variables."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from pact_common.dev_keys import (
    DEV_ADMIN_API_KEY,
    DEV_JWT_PRIVATE_KEY,
    DEV_WEBHOOK_KEY,
    is_development_key,
)
from pact_common.settings import ServiceSettings
from pact_common.webhook_secrets import check_deployment_key


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore")

    service_name: str = "registry"
    mongo_db: str = "registry"
    http_port: int = 8001
    #: The secretariat's key, exchanged at POST /auth/token for a secretariat token.
    admin_api_key: SecretStr = SecretStr(DEV_ADMIN_API_KEY)
    admin_api_key_file: Path | None = None
    jwt_private_key: SecretStr = SecretStr(DEV_JWT_PRIVATE_KEY)
    jwt_private_key_file: Path | None = None
    token_ttl_seconds: int = Field(default=900, ge=60, le=86400)
    #: Derives every partner's webhook secret; monitoring holds the same (MONITORING_WEBHOOK_KEY)
    webhook_key: SecretStr = SecretStr(DEV_WEBHOOK_KEY)
    webhook_key_file: Path | None = None
    #: How long a rotated webhook secret keeps signing beside the new one, unless the
    #: rotation says otherwise
    webhook_secret_overlap_seconds: int = Field(default=86400, ge=0, le=7 * 86400)
    #: how long a person's token (POST /auth/password, /auth/oidc) lasts
    user_token_ttl_seconds: int = Field(default=3600, ge=60, le=86400)
    #: how long an invitation link works
    invitation_ttl_hours: int = Field(default=168, ge=1, le=90 * 24)
    #: the OpenID Connect provider people may sign in with (None: none), and the client id
    #: its id_tokens are for
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None

    @model_validator(mode="after")
    def _registry_secrets(self) -> Settings:
        if self.admin_api_key_file is not None:
            self.admin_api_key = SecretStr(self.admin_api_key_file.read_text().strip())
        if self.jwt_private_key_file is not None:
            self.jwt_private_key = SecretStr(self.jwt_private_key_file.read_text())
        if self.webhook_key_file is not None:
            self.webhook_key = SecretStr(self.webhook_key_file.read_text().strip())
        check_deployment_key(self.webhook_key.get_secret_value(), self.environment)
        # The registry signs tokens, so it verifies them with its own key's public half.
        private = serialization.load_pem_private_key(
            self.jwt_private_key.get_secret_value().encode(), password=None
        )
        self.jwt_public_key = (
            private.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
        if self.environment == "production":
            if self.admin_api_key.get_secret_value().strip() == DEV_ADMIN_API_KEY:
                raise ValueError("admin_api_key is the development default; set a real one")
            if is_development_key(self.jwt_private_key.get_secret_value()):
                raise ValueError("jwt_private_key is the development key; set a real one")
        return self

    def _key_fields(self) -> tuple[str, ...]:
        return ()  # checked above, on the private key the public one derives from
