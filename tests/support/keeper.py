"""The views' keeper beside a monitoring process of the tests, when it keeps them apart
(MONITORING_VIEWS_APART, the default: `make test`, `make faults`): `python -m monitoring.keeper`
as a process of its own on the same database. ServiceProcess starts one with monitoring; the
fault campaign starts its own and kills it with kill -9 at random moments all along the
stream (each kill may land in the middle of its transaction), then checks the views it
reads over HTTP (the partnerships' series) against the ground truth."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import time
from collections.abc import Mapping
from typing import Any

from pydantic import TypeAdapter

from monitoring.config import ViewsKept
from tests.support.kafka import wait_until
from tests.support.stack import OUTPUT, kill_group, spawn


def views_apart(env: Mapping[str, str] = os.environ) -> bool:
    """MONITORING_VIEWS_APART read as monitoring's settings read it (unset: their default)."""
    unset = ViewsKept.model_fields["views_apart"].default
    return TypeAdapter(bool).validate_python(env.get("MONITORING_VIEWS_APART") or unset)


async def journal_empty(db: Any) -> bool:
    """Nothing left for the keeper (the views kept apart), or nothing ever journaled."""
    return await db["view_journal"].find_one({}, {"_id": 1}) is None


class Keeper:
    def __init__(self, env: Mapping[str, str], name: str) -> None:
        self.heartbeat = OUTPUT / f"{name}-keeper-alive"
        # monitoring's own settings, but its pause point (crashes.py arms it for monitoring)
        self.env = {k: v for k, v in env.items() if k != "MONITORING_FAULT_PAUSE_FILE"} | {
            "MONITORING_VIEWS_APART": "1",
            "MONITORING_KEEPER_HEARTBEAT_FILE": str(self.heartbeat),
        }
        self.log_path = OUTPUT / f"{name}-keeper.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0
        #: times it was found stopped on its own (a crash: its log says why)
        self.exits = 0

    def spawn(self) -> None:
        self.process = spawn("monitoring.keeper", self.env, self.log_path)

    async def start(self) -> None:
        """(Again, the one before killed:) started once it has touched its heartbeat."""
        self.kill()
        self.heartbeat.unlink(missing_ok=True)
        self.spawn()

        def beating() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"the keeper exited on start; see {self.log_path}")
            return self.heartbeat.exists()

        await wait_until(beating, timeout=60)

    def running(self) -> bool:
        """Running, or started again (counted as an exit of its own)."""
        if self.process is not None and self.process.poll() is None:
            return True
        self.exits += self.process is not None
        self.spawn()
        return False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            self.exits += 1  # it had stopped on its own
        self.kills += kill_group(self.process, signal.SIGKILL)
        self.process = None

    async def killed_at_random(self, every: tuple[float, float] = (1.0, 4.0)) -> None:
        """Until cancelled (the stream's end): kill -9 after a random while, start again.
        A kill inside its transaction leaves the documents it wrote held until mongod aborts
        it (transactionLifetimeLimitSeconds); the next keeper retries meanwhile."""
        chance = random.Random(time.time_ns())
        while True:
            await asyncio.sleep(chance.uniform(*every))
            self.kill()
            self.spawn()
