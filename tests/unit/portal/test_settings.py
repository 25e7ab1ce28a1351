"""The portal's settings: production refuses the development session secret, and every
variable docker-compose.yml gives the portal is one PortalSettings reads (a typo would be
dropped silently by extra="ignore")."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from portal.config import DEV_SESSION_SECRET, PortalSettings
from pydantic import ValidationError

ROOT = Path(__file__).resolve().parents[3]


def test_production_refuses_the_development_session_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PORTAL_ENVIRONMENT", raising=False)
    monkeypatch.delenv("PORTAL_SESSION_SECRET", raising=False)
    with pytest.raises(ValidationError, match="session_secret"):
        PortalSettings()
    with pytest.raises(ValidationError, match="session_secret"):
        PortalSettings(session_secret="too short")
    assert PortalSettings(environment="development").session_secret.get_secret_value() == (
        DEV_SESSION_SECRET
    )


def test_the_session_secret_may_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "portal_session_secret"
    secret.write_text("f" * 64 + "\n")
    settings = PortalSettings(session_secret_file=secret)
    assert settings.session_secret.get_secret_value() == "f" * 64
    assert settings.secure_cookies  # production: the cookie travels over HTTPS only


def test_compose_gives_the_portal_only_settings_it_reads() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    env = compose["services"]["portal"]["environment"]
    fields = PortalSettings.model_fields
    unknown = [k for k in env if k.removeprefix("PORTAL_").lower() not in fields]
    assert unknown == []
    assert env["PORTAL_ENVIRONMENT"] == "production"
    assert env["PORTAL_SESSION_SECRET_FILE"] == "/run/secrets/portal_session_secret"
