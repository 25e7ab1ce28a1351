from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from registry.bootstrap import build_app
from registry.config import Settings
from tests.support.runtime import settings_for_test


@pytest.fixture
async def registry(namespace: str, db_name: str) -> AsyncIterator[Any]:
    settings = settings_for_test(Settings, namespace, db_name)
    app = build_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
            client.settings = settings  # type: ignore[attr-defined]
            yield client
