"""The portal as a person's browser sees it: the registry, commitments and monitoring run as
processes (as `make up` runs them), the portal too, in front of them; pages are asked for
with httpx, which keeps the session cookie as a browser does."""

from __future__ import annotations

import asyncio
import contextlib
import html
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from pymongo import AsyncMongoClient

from tests.support.stack import ServiceProcess

MONGO_URL = "mongodb://127.0.0.1:27017/?replicaSet=rs0"
PASSWORD = "a long portal password"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Stack:
    def __init__(
        self,
        namespace: str,
        registry_env: dict[str, str] | None = None,
        portal_env: dict[str, str] | None = None,
    ) -> None:
        self.namespace = namespace
        self.registry = ServiceProcess("registry", namespace, registry_env)
        self.commitments = ServiceProcess("commitments", namespace)
        self.monitoring = ServiceProcess("monitoring", namespace)
        self.apis = (self.registry, self.commitments, self.monitoring)
        self.portal = ServiceProcess(
            "portal",
            namespace,
            {
                "PORTAL_REGISTRY_URL": self.registry.url,
                "PORTAL_COMMITMENTS_URL": self.commitments.url,
                "PORTAL_MONITORING_URL": self.monitoring.url,
                **(portal_env or {}),
            },
        )
        self.portal.env["PORTAL_PUBLIC_URL"] = self.portal.url


@contextlib.asynccontextmanager
async def running(s: Stack) -> AsyncIterator[Stack]:
    """The three services, then the portal (ready once it reaches them); stopped after."""
    try:
        await asyncio.gather(*(service.start() for service in s.apis))
        await s.portal.start()
        yield s
    finally:
        for service in (s.portal, *s.apis):
            service.stop()
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO_URL)
        for service in s.apis:
            await client.drop_database(service.database)
        await client.close()


@pytest.fixture(scope="module")
async def stack(infrastructure: None) -> AsyncIterator[Stack]:
    async with running(Stack(f"t{uuid.uuid4().hex[:10]}.")) as s:
        yield s


class Visitor:
    """One browser: its own cookies; `submit` posts a form with the page's CSRF token."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.http = client
        self.page = ""

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        answer = await self.http.get(path, **kwargs)
        self.page = answer.text
        return answer

    def csrf(self) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.page)
        assert found, "no CSRF token on the page"
        return found.group(1)

    async def submit(
        self, path: str, data: dict[str, Any] | list[tuple[str, str]]
    ) -> httpx.Response:
        pairs = list(data.items()) if isinstance(data, dict) else list(data)
        body = urlencode([*pairs, ("csrf_token", self.csrf())])
        answer = await self.http.post(path, content=body, headers=FORM)
        self.page = answer.text
        return answer

    def text(self) -> str:
        """The page's words, without the markup."""
        return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", self.page)))


@pytest.fixture
async def visitor(stack: Stack) -> AsyncIterator[Visitor]:
    async with httpx.AsyncClient(
        base_url=stack.portal.url, follow_redirects=True, timeout=30.0
    ) as client:
        yield Visitor(client)


@pytest.fixture
async def registry(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.registry.url, timeout=30.0) as client:
        yield client
