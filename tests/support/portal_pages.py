"""The portal on the real stack, for tests of its pages: registry, commitments, monitoring
and the portal run as processes; organisations register, are approved and get their first
coordinator through the registry's API; people sign in through the portal's own sign-in
form (email and password), as a person does, and keep its session cookie."""

from __future__ import annotations

import asyncio
import re
import subprocess
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from pact_common.dev_keys import DEV_ADMIN_API_KEY
from tests.support.stack import ServiceProcess

MONGO_URL = "mongodb://127.0.0.1:27017/?replicaSet=rs0"
PASSWORD = "correct horse battery staple"
PRINCIPLES = {
    "lifelong_learning": True,
    "skills_partnerships": True,
    "skills_intelligence": True,
    "equal_opportunities": True,
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Organisation:
    partner_id: str
    api_key: str
    legal_name: str
    email: str


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found[1]


class PortalStack:
    """The four services of one test module, on their own databases and topics."""

    def __init__(self, monitoring_env: dict[str, str] | None = None) -> None:
        self.namespace = f"t{uuid.uuid4().hex[:10]}."
        self.registry = ServiceProcess("registry", self.namespace)
        self.commitments = ServiceProcess("commitments", self.namespace)
        self.monitoring = ServiceProcess("monitoring", self.namespace, monitoring_env)
        self.portal = ServiceProcess(
            "portal",
            self.namespace,
            {
                "PORTAL_REGISTRY_URL": self.registry.url,
                "PORTAL_COMMITMENTS_URL": self.commitments.url,
                "PORTAL_MONITORING_URL": self.monitoring.url,
                "PORTAL_DASHBOARD_REFRESH_SECONDS": "1",
            },
        )
        self.services = (self.registry, self.commitments, self.monitoring, self.portal)
        self.http = httpx.AsyncClient(timeout=30)

    async def start(self) -> None:
        await asyncio.gather(*(s.start() for s in self.services[:3]))
        await self.portal.start()

    async def stop(self) -> None:
        await self.http.aclose()
        for service in reversed(self.services):  # the portal first: it calls the others
            try:
                service.stop()
            except subprocess.TimeoutExpired:  # a slow shutdown ends the hard way
                service.kill()
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO_URL)
        for service in self.services[:3]:
            await client.drop_database(service.database)
        await client.close()

    async def token(self, api_key: str = DEV_ADMIN_API_KEY) -> str:
        answer = await self.http.post(f"{self.registry.url}/auth/token", json={"api_key": api_key})
        assert answer.status_code == 200, answer.text
        return str(answer.json()["access_token"])

    async def api(
        self, service: ServiceProcess, method: str, path: str, token: str, **kw: Any
    ) -> Any:
        answer = await self.http.request(
            method, f"{service.url}{path}", headers={"Authorization": f"Bearer {token}"}, **kw
        )
        assert answer.status_code < 300, f"{method} {path}: {answer.status_code} {answer.text}"
        return answer.json()

    async def enrol(self, legal_name: str, country: str = "FI") -> Organisation:
        """A registered, approved organisation with its first coordinator, known to
        commitments and monitoring (they hear of the approval over Kafka)."""
        email = f"coordinator-{uuid.uuid4().hex[:8]}@org.example"
        answer = await self.http.post(
            f"{self.registry.url}/partners",
            json={
                "legal_name": legal_name,
                "organisation_type": "training_provider",
                "hq_country": country,
                "countries": [country],
                "contact_name": "Eva Weber",
                "contact_email": email,
                "principles": PRINCIPLES,
            },
        )
        assert answer.status_code == 201, answer.text
        done = answer.json()
        pid, key = done["partner_id"], done["api_key"]
        await self.api(
            self.registry, "POST", f"/partners/{pid}/approve", await self.token(), json={}
        )
        first = await self.http.post(
            f"{self.registry.url}/partners/{pid}/users/first",
            headers={"X-Api-Key": key},
            json={"email": email, "name": "Eva Weber", "password": PASSWORD},
        )
        assert first.status_code == 201, first.text
        org = Organisation(pid, key, legal_name, email)
        await self.known_downstream(org)
        return org

    async def known_downstream(self, org: Organisation) -> None:
        token = await self.token(org.api_key)
        for _ in range(150):
            answers = [
                await self.http.get(
                    f"{service.url}{path}", headers={"Authorization": f"Bearer {token}"}
                )
                for service, path in (
                    # a pending partner reads its own commitments, not the targets: this
                    # answers 200 only once commitments has heard of the approval
                    (self.commitments, "/partnership-targets"),
                    (self.monitoring, f"/progress/partners/{org.partner_id}"),
                )
            ]
            if all(a.status_code == 200 for a in answers):
                return
            await asyncio.sleep(0.2)
        raise AssertionError(
            f"{org.partner_id}'s approval never reached commitments and monitoring"
        )

    async def invite(self, token: str, email: str, role: str, partner_id: str | None) -> None:
        """An invitation accepted: the person has an account with PASSWORD."""
        body = {"email": email, "role": role, "partner_id": partner_id}
        invitation = await self.api(self.registry, "POST", "/invitations", token, json=body)
        accepted = await self.http.post(
            f"{self.registry.url}/invitations/{invitation['token']}/accept",
            json={"name": email.split("@")[0].replace("-", " ").title(), "password": PASSWORD},
        )
        assert accepted.status_code == 201, accepted.text

    async def user_token(self, email: str) -> str:
        answer = await self.http.post(
            f"{self.registry.url}/auth/password", json={"email": email, "password": PASSWORD}
        )
        assert answer.status_code == 200, answer.text
        return str(answer.json()["access_token"])

    async def secretariat(self) -> str:
        """A secretariat admin's email (invited with the admin key)."""
        email = f"admin-{uuid.uuid4().hex[:8]}@secretariat.example"
        await self.invite(await self.token(), email, "admin", None)
        return email

    async def browser(self, email: str) -> httpx.AsyncClient:
        """A person signed in through the portal's form (the client keeps the cookie)."""
        client = httpx.AsyncClient(base_url=self.portal.url, timeout=30)
        page = await client.get("/sign-in")
        signed = await client.post(
            "/sign-in",
            data={"email": email, "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        )
        assert signed.status_code == 303, signed.text
        return client


async def eventually(check: Any, what: str, tries: int = 150) -> Any:
    """`await check()` until it returns something truthy, every 0.2 s (30 s by default), as
    a person refreshing a page would: what monitoring's views show follows their keeper."""
    for _ in range(tries):
        if found := await check():
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"never: {what}")


async def post_form(
    client: httpx.AsyncClient, page: str, action: str, data: dict[str, Any], **kw: Any
) -> httpx.Response:
    """Open `page`, then send its form to `action` with the page's CSRF token."""
    shown = await client.get(page)
    assert shown.status_code == 200, shown.text
    return await client.post(action, data={**data, "csrf_token": csrf_of(shown.text)}, **kw)
