"""A small but real OpenID Connect provider, for the registry's and the portal's tests.

EU Login, Keycloak or Entra ID are not at hand in a test run, and a mock would prove nothing
about the code flow: this one speaks the protocol for real over HTTP. Discovery, a JWKS with an
RS256 key generated at start, /authorize (authorization code with PKCE S256 and the nonce; a
login form with a username field for the configured test users, which a browser or httpx
submits), /token (the code exchanged with client_secret_basic or client_secret_post and the
code_verifier; an id_token with iss, aud, sub, email, email_verified, nonce, exp, iat) and
/userinfo.

Run it as a process:
    python -m tests.support.oidc_provider --port 9400 --issuer http://127.0.0.1:9400 \
        --client-id portal --client-secret s3cret --users '[{"username": "ada", ...}]'
(or OIDC_PROVIDER_PORT, _ISSUER, _CLIENT_ID, _CLIENT_SECRET, _USERS), or from a test with
`OidcProvider(...)`, which starts it on a free port like tests/support/stack.py's services.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import html
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlencode

import httpx
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.support.stack import OUTPUT, ROOT, free_port

ID_TOKEN_TTL = 300
CODE_TTL = 120


@dataclass(frozen=True)
class OidcUser:
    """A person the provider knows; `username` is what the login form asks for."""

    username: str
    email: str
    name: str = ""
    email_verified: bool = True
    sub: str = ""

    @property
    def subject(self) -> str:
        return self.sub or f"oidc-{hashlib.sha256(self.username.encode()).hexdigest()[:16]}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "email": self.email,
            "name": self.name,
            "email_verified": self.email_verified,
            "sub": self.subject,
        }


def parse_users(raw: str | Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> list[OidcUser]:
    """A JSON list of users, or an object keyed by username."""
    data = json.loads(raw) if isinstance(raw, str) else raw
    if isinstance(data, Mapping):
        data = [{"username": name, **user} for name, user in data.items()]
    return [OidcUser(**dict(user)) for user in data]


@dataclass
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    users: dict[str, OidcUser]
    key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(
            2048, {"kid": secrets.token_hex(8), "use": "sig", "alg": "RS256"}, private=True
        )
    )
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    access_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "email", "profile"],
            "claims_supported": ["sub", "iss", "aud", "email", "email_verified", "name", "nonce"],
        }

    def claims(self, user: OidcUser) -> dict[str, Any]:
        return {
            "sub": user.subject,
            "email": user.email,
            "email_verified": user.email_verified,
            "name": user.name,
        }

    def id_token(self, user: OidcUser, nonce: str | None) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + ID_TOKEN_TTL,
            "auth_time": now,
            **self.claims(user),
        }
        if nonce:
            claims["nonce"] = nonce
        header = {"alg": "RS256", "kid": self.key.kid, "typ": "JWT"}
        return jwt.encode(header, claims, self.key)


def _error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def _login_form(params: Mapping[str, str], message: str = "", status: int = 200) -> HTMLResponse:
    """A page that passes axe as the portal's must: lang, title, one h1, a labelled field."""
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in params.items()
    )
    alert = f'<p role="alert">{html.escape(message)}</p>' if message else ""
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test identity provider: sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Test identity provider</h1>{alert}
<form method="post" action="/authorize">{hidden}
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required>
<button type="submit">Sign in</button></form></main></body></html>"""
    return HTMLResponse(page, status_code=status)


def build_app(provider: Provider) -> Starlette:
    """The provider's HTTP endpoints (an ASGI app: run it in uvicorn or with ASGITransport)."""

    async def discovery(request: Request) -> Response:
        return JSONResponse(provider.metadata())

    async def jwks(request: Request) -> Response:
        return JSONResponse({"keys": [provider.key.as_dict(private=False)]})

    async def authorize(request: Request) -> Response:
        sent = request.query_params if request.method == "GET" else await request.form()
        params = {k: str(v) for k, v in sent.items()}
        username = params.pop("username", None)
        if params.get("client_id") != provider.client_id:
            return _error(400, "invalid_request", "unknown client_id")
        redirect_uri = params.get("redirect_uri", "")
        if not redirect_uri.startswith(("http://", "https://")):
            return _error(400, "invalid_request", "redirect_uri missing")
        if params.get("response_type") != "code":
            return _error(400, "unsupported_response_type", "only the code flow")
        if "openid" not in params.get("scope", "").split():
            return _error(400, "invalid_scope", "scope must include openid")
        if not params.get("code_challenge") or params.get("code_challenge_method") != "S256":
            return _error(400, "invalid_request", "PKCE with S256 is required")
        if username is None:
            return _login_form(params)
        user = provider.users.get(username.strip())
        if user is None:
            return _login_form(params, f"No test user {username!r}.", status=401)
        code = secrets.token_urlsafe(24)
        provider.codes[code] = {
            "user": user,
            "redirect_uri": redirect_uri,
            "code_challenge": params["code_challenge"],
            "nonce": params.get("nonce"),
            "scope": params.get("scope", "openid"),
            "expires": time.time() + CODE_TTL,
        }
        back = {"code": code, **({"state": params["state"]} if "state" in params else {})}
        separator = "&" if "?" in redirect_uri else "?"
        return RedirectResponse(f"{redirect_uri}{separator}{urlencode(back)}", status_code=302)

    def client_authenticated(request: Request, form: Mapping[str, Any]) -> bool:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(header[6:]).decode()
            except ValueError:
                return False
            raw_id, _, raw_secret = decoded.partition(":")
            client_id, client_secret = unquote(raw_id), unquote(raw_secret)
        else:
            client_id = str(form.get("client_id", ""))
            client_secret = str(form.get("client_secret", ""))
        return secrets.compare_digest(client_id, provider.client_id) and (
            secrets.compare_digest(client_secret, provider.client_secret)
        )

    async def token(request: Request) -> Response:
        form = await request.form()
        if not client_authenticated(request, form):
            return _error(401, "invalid_client", "client authentication failed")
        if form.get("grant_type") != "authorization_code":
            return _error(400, "unsupported_grant_type", "only authorization_code")
        grant = provider.codes.pop(str(form.get("code", "")), None)  # one use only
        if grant is None or grant["expires"] < time.time():
            return _error(400, "invalid_grant", "unknown, used or expired code")
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return _error(400, "invalid_grant", "redirect_uri differs from the authorization's")
        verifier = str(form.get("code_verifier", ""))
        digest = hashlib.sha256(verifier.encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if not verifier or not secrets.compare_digest(challenge, grant["code_challenge"]):
            return _error(400, "invalid_grant", "code_verifier does not match the challenge")
        user: OidcUser = grant["user"]
        access_token = secrets.token_urlsafe(32)
        provider.access_tokens[access_token] = {"user": user, "expires": time.time() + 3600}
        return JSONResponse(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 3600,
                "scope": grant["scope"],
                "id_token": provider.id_token(user, grant["nonce"]),
            },
            headers={"Cache-Control": "no-store"},
        )

    async def userinfo(request: Request) -> Response:
        header = request.headers.get("authorization", "")
        held = provider.access_tokens.get(header.removeprefix("Bearer ").strip())
        if not header.startswith("Bearer ") or held is None or held["expires"] < time.time():
            return _error(401, "invalid_token", "unknown or expired access token")
        return JSONResponse(provider.claims(held["user"]))

    return Starlette(
        routes=[
            Route("/.well-known/openid-configuration", discovery),
            Route("/jwks", jwks),
            Route("/authorize", authorize, methods=["GET", "POST"]),
            Route("/token", token, methods=["POST"]),
            Route("/userinfo", userinfo, methods=["GET", "POST"]),
        ]
    )


class OidcProvider:
    """The provider as a process on a free port, started and stopped by a test."""

    def __init__(
        self,
        users: Sequence[OidcUser | Mapping[str, Any]],
        *,
        client_id: str = "pact-portal",
        client_secret: str | None = None,
        port: int | None = None,
        name: str = "oidc-provider",
    ) -> None:
        self.port = port or free_port()
        self.url = self.issuer = f"http://127.0.0.1:{self.port}"
        self.client_id = client_id
        self.client_secret = client_secret or secrets.token_urlsafe(24)
        self.users = [u if isinstance(u, OidcUser) else OidcUser(**dict(u)) for u in users]
        self.log_path = OUTPUT / f"{name}-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self, timeout: float = 30.0) -> None:
        """Start and wait until discovery answers."""
        self.process = self._spawn()
        started = time.monotonic()
        async with httpx.AsyncClient(base_url=self.url, timeout=2.0) as client:
            while time.monotonic() - started < timeout:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the OIDC provider exited; see {self.log_path}")
                try:
                    answer = await client.get("/.well-known/openid-configuration")
                    if answer.status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise TimeoutError(f"the OIDC provider did not start; see {self.log_path}")

    def _spawn(self) -> subprocess.Popen[bytes]:
        OUTPUT.mkdir(exist_ok=True)
        env = {
            **os.environ,
            "OIDC_PROVIDER_PORT": str(self.port),
            "OIDC_PROVIDER_ISSUER": self.issuer,
            "OIDC_PROVIDER_CLIENT_ID": self.client_id,
            "OIDC_PROVIDER_CLIENT_SECRET": self.client_secret,
            "OIDC_PROVIDER_USERS": json.dumps([u.as_dict() for u in self.users]),
        }
        with self.log_path.open("ab") as log:
            return subprocess.Popen(
                [sys.executable, "-m", "tests.support.oidc_provider"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    async def code_flow(
        self,
        username: str,
        *,
        nonce: str | None = None,
        redirect_uri: str = "http://127.0.0.1/callback",
    ) -> dict[str, Any]:
        """The whole authorization code flow over HTTP, as a relying party and a person at
        the login form do it; returns the token response (with `id_token` and `nonce`)."""
        nonce = nonce or secrets.token_urlsafe(16)
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid email profile",
            "state": secrets.token_urlsafe(8),
            "nonce": nonce,
            "code_challenge": challenge.rstrip(b"=").decode(),
            "code_challenge_method": "S256",
        }
        async with httpx.AsyncClient(base_url=self.url, timeout=10.0) as client:
            form = await client.get("/authorize", params=query)
            form.raise_for_status()
            back = await client.post("/authorize", data={**query, "username": username})
            assert back.status_code == 302, back.text
            code = httpx.URL(back.headers["location"]).params["code"]
            answer = await client.post(
                "/token",
                auth=(self.client_id, self.client_secret),
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": redirect_uri,
                    "code_verifier": verifier,
                },
            )
            answer.raise_for_status()
        return {**answer.json(), "nonce": nonce}

    async def __aenter__(self) -> OidcProvider:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop()


def main(argv: Sequence[str] | None = None) -> None:
    import uvicorn

    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(env("OIDC_PROVIDER_PORT", "9400")))
    parser.add_argument("--issuer", default=env("OIDC_PROVIDER_ISSUER"))
    parser.add_argument("--client-id", default=env("OIDC_PROVIDER_CLIENT_ID", "pact-portal"))
    parser.add_argument("--client-secret", default=env("OIDC_PROVIDER_CLIENT_SECRET", "secret"))
    parser.add_argument("--users", default=env("OIDC_PROVIDER_USERS", "[]"))
    args = parser.parse_args(argv)
    provider = Provider(
        issuer=(args.issuer or f"http://127.0.0.1:{args.port}").rstrip("/"),
        client_id=args.client_id,
        client_secret=args.client_secret,
        users={u.username: u for u in parse_users(args.users)},
    )
    uvicorn.run(build_app(provider), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
