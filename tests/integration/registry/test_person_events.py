"""People published (issue 16): the registry's outbox holds a PersonUpdated, in the same
transaction, whenever an account is made, changes role or status, or sets its email
preferences; accounts made before that are published when the registry starts."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from registry.bootstrap import build_app
from tests.conftest import MONGO_URL

from .people import invited, organisation

pytestmark = pytest.mark.integration


async def people_published(db: Any) -> list[dict[str, Any]]:
    docs = await db["outbox"].find({"event_type": "PersonUpdated"}).sort("seq").to_list()
    return [json.loads(d["payload"]) for d in docs]


async def test_people_are_published_with_their_changes(registry: httpx.AsyncClient) -> None:
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO_URL, tz_aware=True)
    db = mongo[registry.settings.mongo_db]  # type: ignore[attr-defined]
    partner, coco = await organisation(registry, "Published People SE")
    viewer = await invited(registry, coco.headers, "vi@published.example", "viewer")
    off = await registry.put(
        "/users/me/notifications", headers=viewer.headers, json={"info": "off"}
    )
    assert off.status_code == 200 and off.json()["info"] == "off", off.text
    bad = await registry.put(
        "/users/me/notifications", headers=viewer.headers, json={"info": "hourly"}
    )
    assert bad.status_code == 422, bad.text
    changed = await registry.patch(
        f"/users/{viewer.user_id}", headers=coco.headers, json={"role": "reporter"}
    )
    assert changed.status_code == 200, changed.text
    events = [e for e in await people_published(db) if e["user_id"] == viewer.user_id]
    print(
        "\nthe viewer's PersonUpdated:",
        [(e["version"], e["role"], e["notifications"]) for e in events],
    )
    assert [e["version"] for e in events] == [1, 2, 3]
    assert events[-1]["role"] == "reporter" and events[-1]["notifications"]["info"] == "off"
    assert events[0]["partner_id"] == partner["partner_id"]
    assert all("password" not in json.dumps(e) for e in events)

    # an account made before accounts were published: published when the registry starts
    await db["users"].update_one({"_id": coco.user_id}, {"$unset": {"version": ""}})
    before = len(await people_published(db))
    app = build_app(registry.settings)  # type: ignore[attr-defined]
    async with app.router.lifespan_context(app):
        pass
    published = await people_published(db)
    await mongo.close()
    assert len(published) == before + 1 and published[-1]["user_id"] == coco.user_id
    assert published[-1]["version"] == 2
