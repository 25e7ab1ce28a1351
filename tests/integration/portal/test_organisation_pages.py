"""The organisation's settings in the portal: the profile, the webhook (the password again, the
secret shown once) and the reporting keys (the password again, the key shown once; a reporting
key's token may report progress and nothing else)."""

from __future__ import annotations

import re
import uuid

import httpx
import jwt
import pytest

from .conftest import PASSWORD, Stack, Visitor
from .test_identity_pages import signed_up

pytestmark = pytest.mark.integration


async def test_profile_webhook_and_reporting_keys(
    stack: Stack, visitor: Visitor, registry: httpx.AsyncClient
) -> None:
    suffix = uuid.uuid4().hex[:6]
    await signed_up(visitor, f"Settings Guild {suffix}", f"sam-{suffix}@guild.example")
    await visitor.get("/organisation")
    profile = [
        ("legal_name", f"Settings Guild {suffix} AISBL"),
        ("contact_name", "Sam Settings"),
        ("contact_email", f"sam-{suffix}@guild.example"),
        ("website", "https://guild.example"),
        ("countries", "BE"),
    ]
    refused = await visitor.submit("/organisation", profile)  # the registry's rule, by field
    assert refused.status_code == 422
    assert "countries must include the headquarters country FR" in visitor.text()
    assert 'href="#f-countries"' in visitor.page
    saved = await visitor.submit("/organisation", [*profile, ("countries", "FR")])
    assert saved.status_code == 200, visitor.text()[-800:]
    assert "The organisation's profile is saved." in visitor.text()
    assert f"Settings Guild {suffix} AISBL" in visitor.text()
    # the webhook needs the password again
    url = "https://hooks.guild.example/pact"
    wrong = await visitor.submit(
        "/organisation/webhook", {"webhook_url": url, "password": "not my password at all"}
    )
    assert wrong.status_code == 401 and "is not right" in visitor.text()
    await visitor.submit("/organisation/webhook", {"webhook_url": url, "password": PASSWORD})
    assert "The webhook is saved." in visitor.text()
    secret = re.search(r'id="webhook-secret">(whsec_[^<]+)<', visitor.page)
    assert secret, visitor.text()
    await visitor.get("/organisation")
    assert secret.group(1) not in visitor.page and f'value="{url}"' in visitor.page
    # a reporting key, shown once
    await visitor.get("/organisation/keys")
    await visitor.submit("/organisation/keys", {"label": "HR export", "password": PASSWORD})
    key = re.search(r'id="new-api-key">([^<]+)<', visitor.page)
    assert key and "HR export" in visitor.text()
    token = await registry.post("/auth/token", json={"api_key": key.group(1)})
    assert token.status_code == 200, token.text
    assert (
        jwt.decode(token.json()["access_token"], options={"verify_signature": False})["scope"]
        == "reporting"
    )
    listed = await visitor.get("/organisation/keys")
    assert key.group(1) not in listed.text and "HR export" in visitor.text()
    key_id = re.search(r'action="/organisation/keys/([^"/]+)/delete"', visitor.page)
    assert key_id
    await visitor.submit(f"/organisation/keys/{key_id.group(1)}/delete", {})
    assert "The key is deleted" in visitor.text() and "No reporting key yet." in visitor.text()
    gone = await registry.post("/auth/token", json={"api_key": key.group(1)})
    assert gone.status_code == 401


async def test_a_coordinator_withdraws_the_organisation(
    stack: Stack, visitor: Visitor, registry: httpx.AsyncClient
) -> None:
    suffix = uuid.uuid4().hex[:6]
    api_key = await signed_up(visitor, f"Leaving Soon {suffix}", f"lou-{suffix}@leaving.example")
    await visitor.get("/organisation")
    short = await visitor.submit(
        "/organisation/withdraw", {"reason": "", "withdraw_password": PASSWORD}
    )
    assert short.status_code == 422 and "Say why the organisation withdraws" in visitor.text()
    done = await visitor.submit(
        "/organisation/withdraw",
        {"reason": "We merged with another member", "withdraw_password": PASSWORD},
    )
    assert done.url.path == "/sign-in"
    assert "The organisation has withdrawn from the partnership." in visitor.text()
    refused = await registry.post("/auth/token", json={"api_key": api_key})
    assert refused.status_code in (401, 403), refused.text
