"""People's passwords are never logged nor stored in clear (issue 15): the secrets scan of
test_secrets.py, run over people's accounts.

The three services run as real processes with DEBUG logging (test_secrets.py's `platform`),
and the portal beside them. An organisation registers and its first coordinator is created
with a password; the coordinator signs in (once with a wrong password), invites a reporter,
who looks at the invitation, tries a password too short, accepts with a good one, signs in,
turns TOTP on and signs in with the code; the secretariat invites an officer, who accepts;
the coordinator signs in through the portal's form (once with a wrong password), and a viewer
accepts an invitation in the portal (once with a password too short). Then every log in
test-output/, every record of the namespace's topics and every document of every database is
searched for every password, invitation token, TOTP secret and token that went by (also
inside base64), and the users collection holds each password as an Argon2id hash of it, and
nothing else of it."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import uuid
from collections.abc import AsyncIterator

import httpx
import pyotp
import pytest
from pwdlib import PasswordHash

from tests.security.test_secrets import (  # noqa: F401 (platform: the fixture)
    Platform,
    everything_stored,
    namespaced_topics,
    outboxes_drained,
    platform,
    record_bytes,
    scan,
)
from tests.support import auth
from tests.support.kafka import wait_until
from tests.support.registry import registration
from tests.support.stack import ServiceProcess

pytestmark = pytest.mark.integration


def password() -> str:
    """A password as a person picks one: words, spaces and a few signs."""
    return f"Blue harbour {secrets.token_hex(6)} & kites!"


@pytest.fixture
async def portal(platform: Platform) -> AsyncIterator[ServiceProcess]:  # noqa: F811
    """The portal, in the platform's namespace (its log lands beside the services')."""
    urls = {
        f"PORTAL_{name.upper()}_URL": platform.processes[name].url
        for name in ("registry", "commitments", "monitoring")
    }
    process = ServiceProcess("portal", platform.namespace, {**urls, "PORTAL_LOG_LEVEL": "DEBUG"})
    try:
        await process.start()
        platform.processes["portal"] = process
        yield process
    finally:
        process.stop()


async def accounts(world: Platform) -> dict[str, str]:
    """Everything people do with passwords on the registry; returns the coordinator's
    email and partner id."""
    s = world.secrets
    stamp = uuid.uuid4().hex[:6]
    coordinator, reporter = f"eva-{stamp}@keeping.example", f"rui-{stamp}@keeping.example"
    s["coordinator password"], s["reporter password"] = password(), password()
    s["officer password"], s["wrong password"] = password(), password()
    s["too short password"] = "Kite!" + secrets.token_hex(3)  # 11 characters: refused
    async with world.client("registry") as registry:
        body = registration(legal_name=f"Secret Keeping Org {stamp}", vat=None)
        partner = (await registry.post("/partners", json=body)).json()
        pid, s["api key"] = partner["partner_id"], partner["api_key"]
        s["webhook secret"] = partner["webhook_secret"]
        first = await registry.post(
            f"/partners/{pid}/users/first",
            headers={"X-Api-Key": s["api key"]},
            json={"email": coordinator, "name": "Eva Weber", "password": s["coordinator password"]},
        )
        assert first.status_code == 201, first.text
        admin = await registry.post("/auth/token", json={"api_key": s["admin key"]})
        s["secretariat token"] = admin.json()["access_token"]
        secretariat = auth.bearer(s["secretariat token"])
        approved = await registry.post(f"/partners/{pid}/approve", json={}, headers=secretariat)
        assert approved.status_code == 200, approved.text

        async def sign_in(email: str, secret: str, **more: str) -> httpx.Response:
            return await registry.post(
                "/auth/password", json={"email": email, "password": secret, **more}
            )

        wrong = await sign_in(coordinator, s["wrong password"])
        assert wrong.status_code == 401, wrong.text
        signed_in = await sign_in(coordinator, s["coordinator password"])
        assert signed_in.status_code == 200, signed_in.text
        s["coordinator token"] = signed_in.json()["access_token"]
        invited = await registry.post(
            "/invitations",
            headers=auth.bearer(s["coordinator token"]),
            json={"email": reporter, "role": "reporter", "partner_id": pid},
        )
        assert invited.status_code == 201, invited.text
        s["reporter invitation"] = invited.json()["token"]
        link = f"/invitations/{s['reporter invitation']}"
        assert (await registry.get(link)).status_code == 200
        short = await registry.post(
            f"{link}/accept", json={"name": "Rui Costa", "password": s["too short password"]}
        )
        assert short.status_code == 422, short.text
        accepted = await registry.post(
            f"{link}/accept", json={"name": "Rui Costa", "password": s["reporter password"]}
        )
        assert accepted.status_code == 201, accepted.text
        s["reporter token"] = accepted.json()["access_token"]
        mine = auth.bearer(s["reporter token"])
        started = await registry.post("/users/me/totp", headers=mine)
        assert started.status_code in (200, 201), started.text
        s["totp secret"] = started.json()["secret"]
        totp = pyotp.TOTP(s["totp secret"])
        confirmed = await registry.post(
            "/users/me/totp/confirm", headers=mine, json={"code": totp.now()}
        )
        assert confirmed.status_code == 200, confirmed.text
        needs_code = await sign_in(reporter, s["reporter password"])
        assert needs_code.status_code == 401, needs_code.text
        with_code = await sign_in(reporter, s["reporter password"], totp_code=totp.now())
        assert with_code.status_code == 200, with_code.text
        s["reporter token (TOTP)"] = with_code.json()["access_token"]

        officer = await registry.post(
            "/invitations",
            headers=secretariat,
            json={"email": f"ola-{stamp}@secretariat.example", "role": "officer"},
        )
        assert officer.status_code == 201, officer.text
        s["officer invitation"] = officer.json()["token"]
        accepted = await registry.post(
            f"/invitations/{s['officer invitation']}/accept",
            json={"name": "Ola Nordmann", "password": s["officer password"]},
        )
        assert accepted.status_code == 201, accepted.text
        s["officer token"] = accepted.json()["access_token"]
    return {"email": coordinator, "partner_id": pid}


async def through_the_portal(
    portal: ServiceProcess, page: str, fields: dict[str, str]
) -> httpx.Response:
    """A form of the portal, as a browser posts it (with the session's CSRF token)."""
    async with httpx.AsyncClient(base_url=portal.url, timeout=15.0) as browser:
        form = await browser.get(page)
        assert form.status_code == 200, form.text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert csrf, form.text
        return await browser.post(page, data={"csrf_token": csrf.group(1), **fields})


async def test_no_password_in_any_log_topic_or_database(
    platform: Platform,  # noqa: F811
    portal: ServiceProcess,
) -> None:
    s = platform.secrets
    coordinator = await accounts(platform)
    email = coordinator["email"]
    refused = await through_the_portal(
        portal, "/sign-in", {"email": email, "password": s["wrong password"]}
    )
    assert refused.status_code == 401, refused.text
    welcomed = await through_the_portal(
        portal, "/sign-in", {"email": email, "password": s["coordinator password"]}
    )
    assert welcomed.status_code == 303, welcomed.text
    # An invitation accepted in the portal: its token in the page's address and the
    # registry's, the password in the form.
    async with platform.client("registry") as registry:
        invited = await registry.post(
            "/invitations",
            headers=auth.bearer(s["coordinator token"]),
            json={"email": f"ana-{email}", "role": "viewer"},
        )
        assert invited.status_code == 201, invited.text
    s["portal invitation"], s["viewer password"] = invited.json()["token"], password()
    page = f"/invitations/{s['portal invitation']}"
    too_short = await through_the_portal(
        portal, page, {"name": "Ana Sousa", "password": s["too short password"]}
    )
    assert too_short.status_code == 422, too_short.text
    accepted = await through_the_portal(
        portal, page, {"name": "Ana Sousa", "password": s["viewer password"]}
    )
    assert accepted.status_code == 303, accepted.text
    await wait_until(lambda: outboxes_drained(platform), timeout=30)
    for process in platform.processes.values():
        process.stop()  # flush and close every log

    logs = {f"log of {p.name}": p.log().encode() for p in platform.processes.values()}
    assert all(logs.values()), "a process wrote no log at all"
    topics = {
        f"topic {topic.removeprefix(platform.namespace)}": b"\n".join(map(record_bytes, records))
        for topic, records in (await namespaced_topics(platform.namespace)).items()
    }
    stored = await everything_stored(platform)
    documents = {
        f"collection {name}": json.dumps(docs, default=str).encode()
        for name, docs in stored.items()
    }
    # The TOTP secret is the registry's to keep (it checks codes with it); nowhere else.
    anywhere = {k: v for k, v in s.items() if k != "totp secret"}
    assert scan(logs | topics | documents, anywhere) == {}
    elsewhere = {k: v for k, v in documents.items() if k != "collection registry.users"}
    assert scan(logs | topics | elsewhere, {"totp secret": s["totp secret"]}) == {}

    # Each person's password is kept as its Argon2id hash, and nothing else of it.
    users = {doc["email"]: doc for doc in stored["registry.users"]}
    assert len(users) == 4, sorted(users)
    hashing = PasswordHash.recommended()
    for who, doc in users.items():
        kept = doc["password_hash"]
        assert kept.startswith("$argon2id$"), (who, kept[:12])
        [matching] = [
            k
            for k in (
                "coordinator password",
                "reporter password",
                "officer password",
                "viewer password",
            )
            if hashing.verify(s[k], kept)
        ]
        assert [k for k in doc if "password" in k] == ["password_hash"], (who, matching)
    # Invitations are kept as the SHA-256 of their token.
    hashes = {doc["token_hash"] for doc in stored["registry.invitations"]}
    for which in ("reporter invitation", "officer invitation", "portal invitation"):
        assert hashlib.sha256(s[which].encode()).hexdigest() in hashes
