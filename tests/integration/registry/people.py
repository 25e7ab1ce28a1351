"""People's accounts in registry tests: an approved partner with its first coordinator, and
colleagues invited and signed in, all through the registry's HTTP API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from tests.support.registry import bearer, register, secretariat

PASSWORD = "correct horse battery staple"


@dataclass
class Person:
    email: str
    user_id: str
    token: str
    partner_id: str | None

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)

    @property
    def claims(self) -> dict[str, Any]:
        claims: dict[str, Any] = jwt.decode(self.token, options={"verify_signature": False})
        return claims


async def sign_in(registry: httpx.AsyncClient, email: str, **extra: Any) -> httpx.Response:
    return await registry.post(
        "/auth/password", json={"email": email, "password": PASSWORD, **extra}
    )


async def signed_in(registry: httpx.AsyncClient, email: str) -> Person:
    answer = await sign_in(registry, email)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return Person(email, body["user"]["user_id"], body["access_token"], body["partner_id"])


async def organisation(
    registry: httpx.AsyncClient, name: str, *, approve: bool = True
) -> tuple[dict[str, Any], Person]:
    """A partner (approved unless said otherwise) and its first coordinator, signed in."""
    partner = await register(registry, legal_name=name, vat=None)
    pid = partner["partner_id"]
    if approve:
        done = await registry.post(
            f"/partners/{pid}/approve", headers=await secretariat(registry), json={}
        )
        assert done.status_code == 200, done.text
    email = f"coordinator@{pid}.example"
    first = await registry.post(
        f"/partners/{pid}/users/first",
        headers={"X-Api-Key": partner["api_key"]},
        json={"email": email, "name": "Coco Ordinator", "password": PASSWORD},
    )
    assert first.status_code == 201, first.text
    return partner, await signed_in(registry, email)


async def invited(
    registry: httpx.AsyncClient,
    by: dict[str, str],
    email: str,
    role: str,
    partner_id: str | None = None,
) -> Person:
    """Invite `email` as `role` (by whoever's headers `by` are), accept, sign in."""
    body: dict[str, Any] = {"email": email, "role": role}
    if partner_id is not None:
        body["partner_id"] = partner_id
    invitation = await registry.post("/invitations", headers=by, json=body)
    assert invitation.status_code == 201, invitation.text
    accepted = await registry.post(
        f"/invitations/{invitation.json()['token']}/accept",
        json={"name": role.title(), "password": PASSWORD},
    )
    assert accepted.status_code == 201, accepted.text
    return await signed_in(registry, email)


def refused(answer: httpx.Response, status: int, code: str, field: str | None = None) -> None:
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["code"] == code, error
    if field is not None:
        assert error["field"] == field, error
