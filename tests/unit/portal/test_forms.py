"""What the portal's pages share: a redirect after sign-in stays on the site (no open
redirect), and a value sealed in the session cookie (a half-done sign-in's password) cannot be
read from the cookie, nor used after its time."""

from __future__ import annotations

import base64
import json
import time
from types import SimpleNamespace
from typing import Any

import pytest
from portal.entrypoints.forms import safe_next, seal, unseal
from pydantic import SecretStr


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/commitments/c-1?x=1", "/commitments/c-1?x=1"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_only_a_path_of_the_site_is_followed(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


class FakeRequest:
    """What seal and unseal read: the app's session secret, and the session."""

    def __init__(self, secret: str = "s" * 40) -> None:
        settings = SimpleNamespace(session_secret=SecretStr(secret))
        self.app = SimpleNamespace(state=SimpleNamespace(settings=settings))
        self.session: dict[str, Any] = {}


def test_a_sealed_value_is_not_readable_and_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    request = FakeRequest()
    seal(request, "pending", {"password": "a long secret password"}, seconds=60)  # type: ignore[arg-type]
    sealed = request.session["pending"]
    assert "a long secret password" not in sealed
    assert b"a long secret password" not in base64.urlsafe_b64decode(sealed + "==")
    assert unseal(request, "pending") == {"password": "a long secret password"}  # type: ignore[arg-type]
    # another deployment's secret cannot open it
    other = FakeRequest("t" * 40)
    other.session = dict(request.session)
    assert unseal(other, "pending") is None  # type: ignore[arg-type]
    # and after its time it is gone
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    assert unseal(request, "pending") is None  # type: ignore[arg-type]
    assert "pending" not in request.session
    assert json.dumps(request.session) == "{}"
