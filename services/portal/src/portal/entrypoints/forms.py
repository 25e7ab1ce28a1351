"""What the page modules share: safe redirects, the registry's problems mapped to form
fields, and a sealed (encrypted) value in the session for a sign-in half done."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from fastapi import Request
from fastapi.responses import RedirectResponse

from ..adapters.api import ApiError


def safe_next(target: str | None, default: str = "/") -> str:
    """Only a path of this site: never another host (an open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def redirect(path: str) -> RedirectResponse:
    """After a POST: 303, so the browser follows with a GET."""
    return RedirectResponse(path, status_code=303)


def field_errors(exc: ApiError, known: set[str], default_field: str = "form") -> dict[str, str]:
    """An API's 4xx as `{field: message}` for the form: on its field when the form has it."""
    field = (exc.field or "").split(".")[-1]
    return {field if field in known else default_field: exc.message}


def _fernet(request: Request) -> Fernet:
    secret = request.app.state.settings.session_secret.get_secret_value()
    key = hashlib.sha256(f"portal-seal:{secret}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(request: Request, name: str, value: dict[str, Any], seconds: int = 300) -> None:
    """Keep `value` in the session encrypted, for `seconds` at most: the cookie is signed,
    not secret, and a password must never travel or rest in clear."""
    body = json.dumps({"value": value, "until": time.time() + seconds}).encode()
    request.session[name] = _fernet(request).encrypt(body).decode()


def unseal(request: Request, name: str) -> dict[str, Any] | None:
    sealed = request.session.get(name)
    if not isinstance(sealed, str):
        return None
    try:
        body = json.loads(_fernet(request).decrypt(sealed.encode()))
    except (InvalidToken, ValueError):
        return None
    if body.get("until", 0) < time.time():
        request.session.pop(name, None)
        return None
    value: dict[str, Any] = body["value"]
    return value
