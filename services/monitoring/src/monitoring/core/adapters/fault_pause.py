"""A test-only pause point: the fault tests hold a batch's transaction open, kill the process
and prove that the batch was in flight. Enabled only by MONITORING_FAULT_PAUSE_FILE, which no
deployment and no settings class sets: unless that variable names a file that exists, it
returns at once.

When armed, after the batch's receipts are written inside its transaction (not committed),
it writes `<file>.held` (this process's pid and the batch's event ids) and waits forever, so
the kill lands with the transaction open. The views' keeper holds its transaction the same
way once it has written the counters and its states, before it removes the entries."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PAUSE_FILE = "MONITORING_FAULT_PAUSE_FILE"


def _armed() -> Path | None:
    path = os.environ.get(PAUSE_FILE)
    return Path(path) if path and Path(path).exists() else None


async def hold_transaction(**what: Any) -> None:
    """Armed: say what is held in `<file>.held` and wait until the test kills the process."""
    armed = _armed()
    if armed is None:
        return
    held, written = {"pid": os.getpid()} | what, Path(f"{armed}.writing")
    written.write_text(json.dumps(held), encoding="utf-8")  # noqa: ASYNC240
    written.replace(f"{armed}.held")  # noqa: ASYNC240 - whole when it appears (read at once)
    await asyncio.Event().wait()


async def hold_batch_transaction(event_ids: Sequence[str]) -> None:
    await hold_transaction(event_ids=list(event_ids))
