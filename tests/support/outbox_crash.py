"""A process that stores a change and its event in the outbox, then dies (kill -9) before
any relay could publish it. Used by the outbox crash test.

    python -m tests.support.outbox_crash DB NAMESPACE
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from pact_common.runtime import Runtime
from pact_common.settings import ServiceSettings
from pact_contracts import PartnerRegistered
from tests.support.examples import PARTNER


async def main(db: str, namespace: str) -> None:
    settings = ServiceSettings(
        service_name="crashy",
        mongo_db=db,
        topic_namespace=namespace,
        environment="test",
        log_level="WARNING",
    )
    runtime = Runtime(settings)
    await runtime.outbox.ensure_indexes()
    event = PartnerRegistered(partner_id="p-crash", partner_version=1, partner=PARTNER)
    async with runtime.unit_of_work() as uow:
        await uow.db["partners"].insert_one({"_id": "p-crash", "version": 1}, session=uow.session)
        uow.emit(event)
        await uow.commit()
    print(event.event_id, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # crash after the commit, before any publish


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
