"""The hot path's writes on the real mongod: a batch's thousands of operations go in bulks of
WRITE_CHUNK, built as they are sent, so the event loop gets turns between them, and every
document is stored."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo import AsyncMongoClient, monitoring

from monitoring.core.adapters.repository import WRITE_CHUNK, _Repo
from tests.conftest import MONGO_URL
from tests.support.turns import ticker

pytestmark = pytest.mark.integration


class Commands(monitoring.CommandListener):
    def __init__(self) -> None:
        self.updates: list[int] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "update":
            self.updates.append(len(event.command.get("updates", ())))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None: ...

    def failed(self, event: monitoring.CommandFailedEvent) -> None: ...


async def test_a_big_write_goes_in_bulks_with_turns_between(db_name: str) -> None:
    commands = Commands()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        MONGO_URL, event_listeners=[commands]
    )
    n = 2 * WRITE_CHUNK + 234
    try:
        async with ticker() as ticks:
            repo = _Repo(client[db_name], None)  # type: ignore[arg-type]
            await repo._replace_all("things", ({"_id": i, "n": i} for i in range(n)))
        stored = await client[db_name]["things"].count_documents({})
        print(f"\n{n} replaces: bulks of {commands.updates}, {stored} stored,", end=" ")
        print(f"ticker ran {ticks.count} times")
        assert commands.updates == [WRITE_CHUNK, WRITE_CHUNK, 234]
        assert stored == n
        assert ticks.count >= 3  # at least once per bulk
    finally:
        await client.drop_database(db_name)
        await client.close()
