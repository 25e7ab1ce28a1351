"""Safe defaults: a service started without ENVIRONMENT is production, and production refuses
the committed development keys, compared by key bytes, however they are written."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError

from commitments.config import Settings as CommitmentsSettings
from monitoring.config import Settings as MonitoringSettings
from pact_common.dev_keys import (
    DEV_JWT_PRIVATE_KEY,
    DEV_JWT_PUBLIC_KEY,
    DEV_SECRETARIAT_WEBHOOK_SECRET,
    DEV_WEBHOOK_KEY,
    is_development_key,
)
from pact_common.webhook_secrets import new_secret
from registry.config import Settings as RegistrySettings

REAL_WEBHOOK_KEY = "a-webhook-key-of-this-deployment-only"


@pytest.fixture(autouse=True)
def _no_service_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Only what a test passes counts (not a developer's shell)."""
    for name in list(os.environ):
        if name.startswith(("REGISTRY_", "COMMITMENTS_", "MONITORING_", "PACT_")):
            monkeypatch.delenv(name)
    yield


def _pair() -> tuple[str, str]:
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private.decode(), public.decode()


#: The development key, written as a copy might be: other line endings, space around it.
DISGUISED = [
    DEV_JWT_PUBLIC_KEY.replace("\n", "\r\n"),
    "\n\n  " + DEV_JWT_PUBLIC_KEY + "\n\n",
    DEV_JWT_PRIVATE_KEY,  # the private half names the same key
]


def test_a_service_without_environment_is_production_and_refuses_the_development_key() -> None:
    with pytest.raises(ValidationError, match="jwt_public_key is the development key"):
        CommitmentsSettings()
    with pytest.raises(ValidationError, match="COMMITMENTS_ENVIRONMENT=development"):
        CommitmentsSettings()
    assert CommitmentsSettings(environment="development").environment == "development"
    _, public = _pair()
    assert CommitmentsSettings(jwt_public_key=public).environment == "production"


@pytest.mark.parametrize("pem", DISGUISED)
def test_the_development_key_is_known_by_its_bytes_not_its_text(pem: str) -> None:
    assert is_development_key(pem)
    with pytest.raises(ValidationError, match="development key"):
        CommitmentsSettings(jwt_public_key=pem)


def test_another_key_or_no_key_is_not_the_development_key() -> None:
    private, public = _pair()
    assert not is_development_key(private)
    assert not is_development_key(public)
    assert not is_development_key("not a key")


def test_the_registry_refuses_its_development_private_key_however_written() -> None:
    private, _ = _pair()
    real = {"admin_api_key": "a-real-admin-key", "webhook_key": REAL_WEBHOOK_KEY}
    assert RegistrySettings(jwt_private_key=private, **real).environment == "production"
    for pem in (DEV_JWT_PRIVATE_KEY, DEV_JWT_PRIVATE_KEY.replace("\n", "\r\n") + "\n"):
        with pytest.raises(ValidationError, match="jwt_private_key is the development key"):
            RegistrySettings(jwt_private_key=pem, **real)
    with pytest.raises(ValidationError, match="admin_api_key is the development default"):
        RegistrySettings(
            jwt_private_key=private,
            webhook_key=REAL_WEBHOOK_KEY,
            admin_api_key="dev-secretariat-key-not-for-production\n",
        )
    assert RegistrySettings(environment="development").environment == "development"


def test_monitoring_refuses_the_development_webhook_secrets_in_production() -> None:
    _, public = _pair()
    real = {"jwt_public_key": public, "webhook_key": REAL_WEBHOOK_KEY}
    assert MonitoringSettings(**real, secretariat_webhook_secret=new_secret())
    with pytest.raises(ValidationError, match="secretariat_webhook_secret is the development"):
        MonitoringSettings(**real, secretariat_webhook_secret=DEV_SECRETARIAT_WEBHOOK_SECRET)
    with pytest.raises(ValidationError, match="webhook_key is the development default"):
        MonitoringSettings(
            jwt_public_key=public,
            webhook_key=DEV_WEBHOOK_KEY + "\n",
            secretariat_webhook_secret=new_secret(),
        )
