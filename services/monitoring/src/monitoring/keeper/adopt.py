"""`python -m monitoring.keeper.adopt`: a database whose views were kept inline (the
default until 2026-12-07) made to keep them apart, in place, without a rebuild. Stop every
monitoring instance and its keeper first; then run this with their settings
(MONITORING_MONGO_URL, MONITORING_MONGO_DB), and start them with MONITORING_VIEWS_APART
true. Safe to run again after a failure, and a no-op on a database kept apart already."""

from __future__ import annotations

import asyncio

from monitoring.config import KeeperSettings
from monitoring.core.adapters import view_journal
from pact_common.logging import configure_logging
from pact_common.mongo import Mongo


async def _main() -> None:
    settings = KeeperSettings()
    log = configure_logging("monitoring-adopt", settings.log_level, settings.log_json)
    mongo = Mongo(settings.mongo_url, settings.mongo_db, appname="monitoring-adopt")
    try:
        heads = await view_journal.adopt(mongo.db)
        await view_journal.ensure_indexes(mongo.db, apart=True)  # its collections; as checked
    finally:
        await mongo.close()
    log.info("the database keeps its views apart", database=settings.mongo_db, adopted=heads)


if __name__ == "__main__":
    asyncio.run(_main())
