"""An outbox relay as a process of its own, killed between publishing and marking sent.
It runs monitoring's relay code (pact_common's OutboxRelay, the production publisher) on
monitoring's database: it wins the relay lease (as a relay does when the previous holder's
lease expires), publishes one batch of pending events and waits for their acknowledgements,
then prints their ids and stops just before marking them sent, until the test kills it with
SIGKILL. The lease it held then expires and monitoring's own relay publishes the batch again
(the same event_ids: consumers ignore the repeat).

    python -m tests.faults.relay_crash MONGO_URL DB NAMESPACE BOOTSTRAP
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from pact_common.outbox import OUTBOX, OutboxRelay
from pact_common.runtime import Runtime
from pact_common.settings import ServiceSettings

LEASE_SECONDS = 5.0


class _StopsBeforeMarking:
    """The outbox collection, but `update_many` (marking the batch sent) never happens."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collection, name)

    async def update_many(self, query: dict[str, Any], *args: Any, **kw: Any) -> None:
        ids = [str(i) for i in query["_id"]["$in"]]
        print(json.dumps({"published_not_marked": ids}), flush=True)
        await asyncio.Event().wait()  # the kill lands here


class _Database:
    def __init__(self, db: Any) -> None:
        self._db = db

    def __getitem__(self, name: str) -> Any:
        collection = self._db[name]
        return _StopsBeforeMarking(collection) if name == OUTBOX else collection


async def main(mongo_url: str, db: str, namespace: str, bootstrap: str) -> None:
    settings = ServiceSettings(
        service_name="monitoring",
        mongo_url=mongo_url,
        mongo_db=db,
        kafka_bootstrap=bootstrap,
        topic_namespace=namespace,
        environment="test",
        log_level="WARNING",
    )
    runtime = Runtime(settings)
    relay = OutboxRelay(
        _Database(runtime.mongo.db),  # type: ignore[arg-type]
        runtime.publisher,
        service="monitoring",
        topic_namespace=namespace,
        lease_seconds=LEASE_SECONDS,
    )
    await runtime.broker.start()
    expires = datetime.now(UTC) + timedelta(seconds=LEASE_SECONDS)
    await runtime.mongo.db["leases"].replace_one(
        {"_id": "outbox-relay"},
        {"_id": "outbox-relay", "owner": relay._owner, "expires_at": expires},
        upsert=True,
    )
    await relay.publish_pending()
    print(json.dumps({"published_not_marked": []}), flush=True)  # nothing was pending


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
