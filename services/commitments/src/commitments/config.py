"""The commitments service's settings: COMMITMENTS_* environment variables."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from pact_common.settings import ServiceSettings


class Settings(ServiceSettings):
    """It verifies tokens with the registry's public key (COMMITMENTS_JWT_PUBLIC_KEY or
    COMMITMENTS_JWT_PUBLIC_KEY_FILE); the development key is refused in production."""

    model_config = SettingsConfigDict(env_prefix="COMMITMENTS_", extra="ignore")

    service_name: str = "commitments"
    mongo_db: str = "commitments"
    http_port: int = 8002
