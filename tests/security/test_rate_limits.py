"""Rate limits on every HTTP API, on the real stack: each service runs as a process (as `make
up` runs it) with low limits; a burst over them gets 429 rate_limited with Retry-After, per
principal and per client address, and after Retry-After the principal is served again.
Every route of every service's OpenAPI document says it may answer 429."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from pact_common.auth import Principal, Role
from pact_common.rate_limits import UNCOUNTED
from tests.security.services import SERVICES
from tests.support import auth
from tests.support.stack import ServiceProcess

#: A secretariat's listing on each service.
LISTING = {"registry": "/partners", "commitments": "/commitments", "monitoring": "/alerts"}
PER_PRINCIPAL, PER_ADDRESS = 5, 3
WINDOW_SECONDS = 10


def _bearer(subject: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {auth.token(Principal(subject, Role.SECRETARIAT))}"}


@pytest.fixture
async def stack(mongo_client: AsyncMongoClient[dict]) -> AsyncIterator[list[ServiceProcess]]:
    """The three services, side by side, each with low limits."""
    namespace = f"t{uuid.uuid4().hex[:10]}."
    processes = []
    for name in LISTING:
        limits = {
            f"{name.upper()}_RATE_LIMIT": f"{PER_PRINCIPAL} per {WINDOW_SECONDS} seconds",
            f"{name.upper()}_RATE_LIMIT_ANONYMOUS": f"{PER_ADDRESS} per {WINDOW_SECONDS} seconds",
        }
        processes.append(ServiceProcess(name, namespace, limits))
    try:
        await asyncio.gather(*(p.start() for p in processes))
        yield processes
    finally:
        for process in processes:
            process.stop()
            await mongo_client.drop_database(process.database)


async def _burst(service: ServiceProcess) -> None:
    path = LISTING[service.name]
    async with httpx.AsyncClient(base_url=service.url, timeout=10) as http:

        async def statuses(n: int, **kwargs: Any) -> list[int]:
            return [(await http.get(path, **kwargs)).status_code for _ in range(n)]

        # a principal: its budget, then 429 with Retry-After in the platform's error shape
        alice = _bearer("secretariat")
        assert await statuses(PER_PRINCIPAL, headers=alice) == [200] * PER_PRINCIPAL
        refused = await http.get(path, headers=alice)
        assert refused.status_code == 429, refused.text
        retry_after = int(refused.headers["Retry-After"])
        assert 1 <= retry_after <= WINDOW_SECONDS
        assert refused.json()["error"]["code"] == "rate_limited"
        # another principal is not held back by the first
        assert await statuses(1, headers=_bearer("secretariat-2")) == [200]
        # without a valid token: this client address's budget, 401 until it is spent
        forged = {"Authorization": "Bearer not.a.token"}
        spent = await statuses(PER_ADDRESS - 1) + await statuses(1, headers=forged)
        assert spent == [401] * PER_ADDRESS
        assert await statuses(1, headers=forged) == [429]
        # another client, forwarded by the trusted proxy (127.0.0.1 by default): its own
        elsewhere = {"X-Forwarded-For": "203.0.113.7"}
        assert await statuses(1, headers=elsewhere) == [401]
        # probes and scrapers are never held back
        for uncounted in sorted(UNCOUNTED):
            answers = [(await http.get(uncounted)).status_code for _ in range(PER_ADDRESS + 2)]
            assert 429 not in answers, uncounted
        metrics = (await http.get("/metrics")).text
        counted = f'pact_http_rate_limited_total{{by="principal",service="{service.name}"}}'
        assert counted in metrics
        # after Retry-After, the principal is served again
        await asyncio.sleep(retry_after + 0.2)
        assert await statuses(1, headers=alice) == [200]


@pytest.mark.integration
async def test_a_burst_over_the_limit_gets_429_with_retry_after_on_every_service(
    stack: list[ServiceProcess],
) -> None:
    await asyncio.gather(*(_burst(service) for service in stack))


@pytest.mark.parametrize("name", [s.name for s in SERVICES])
def test_every_route_documents_its_429(name: str) -> None:
    (service,) = [s for s in SERVICES if s.name == name]
    document = service.build_app(service.settings_for("unused.")).openapi()
    undocumented = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        if path not in UNCOUNTED and path != "/asyncapi.json"
        for method, operation in operations.items()
        if "Retry-After" not in operation["responses"].get("429", {}).get("headers", {})
    ]
    assert undocumented == []
