"""Driving the registry over HTTP, as a partner or the secretariat would."""

from __future__ import annotations

import copy
from typing import Any

import httpx

from pact_common.dev_keys import DEV_ADMIN_API_KEY

REGISTRATION: dict[str, Any] = {
    "legal_name": "Acme Cloud Europe SE",
    "vat": "DE123456789",
    "organisation_type": "company",
    "size_class": "large",
    "hq_country": "DE",
    "countries": ["DE", "FR", "IT", "ES"],
    "contact_name": "Jana Novak",
    "contact_email": "skills@acme-cloud.example",
    "website": "https://acme-cloud.example",
    "principles": {
        "lifelong_learning": True,
        "skills_partnerships": True,
        "skills_intelligence": True,
        "equal_opportunities": True,
    },
    "webhook_url": "https://hooks.acme-cloud.example/pact",
}


def registration(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(REGISTRATION)
    for key, value in changes.items():
        if value is ...:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def token_for(client: httpx.AsyncClient, api_key: str) -> str:
    response = await client.post("/auth/token", json={"api_key": api_key})
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


async def secretariat(client: httpx.AsyncClient) -> dict[str, str]:
    return bearer(await token_for(client, DEV_ADMIN_API_KEY))


async def register(client: httpx.AsyncClient, **changes: Any) -> dict[str, Any]:
    response = await client.post("/partners", json=registration(**changes))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
