"""The views' keeper in the campaign, when monitoring keeps them apart
(MONITORING_VIEWS_APART=1 make faults): `python -m monitoring.keeper` as a process of its own
on the campaign's database, killed with kill -9 at random moments all along the stream and
started again. Each kill may land in the middle of its transaction; the views the campaign
then reads over HTTP (the partnerships' series) must still equal the ground truth."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.kafka import wait_until
from tests.support.stack import OUTPUT, ROOT

VIEWS_APART = os.environ.get("MONITORING_VIEWS_APART", "").lower() in {"1", "true", "yes", "on"}


class Keeper:
    def __init__(self, env: dict[str, str], name: str) -> None:
        self.heartbeat = OUTPUT / f"{name}-keeper-alive"
        # monitoring's own settings, but its pause point (crashes.py arms it for monitoring)
        self.env = {k: v for k, v in env.items() if k != "MONITORING_FAULT_PAUSE_FILE"} | {
            "MONITORING_VIEWS_APART": "1",
            "MONITORING_KEEPER_HEARTBEAT_FILE": str(self.heartbeat),
        }
        self.log_path = OUTPUT / f"{name}-keeper.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0
        self.exits = 0

    def spawn(self) -> None:
        OUTPUT.mkdir(exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "monitoring.keeper"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    async def start(self) -> None:
        """Started once it has touched its heartbeat (its first round is done)."""
        self.heartbeat.unlink(missing_ok=True)
        self.spawn()
        await wait_until(self.heartbeat.exists, timeout=60)

    def running(self) -> bool:
        """Running, or started again: a keeper that stopped on its own is counted."""
        if self.process is not None and self.process.poll() is None:
            return True
        self.exits += self.process is not None
        self.spawn()
        return False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
            self.kills += 1
        self.process = None

    async def killed_at_random(self, every: tuple[float, float] = (0.2, 1.5)) -> None:
        """Until cancelled (the stream's end): kill -9 after a random while, start again."""
        chance = random.Random(time.time_ns())
        while True:
            await asyncio.sleep(chance.uniform(*every))
            self.kill()
            self.spawn()

    def log(self) -> str:
        path = Path(self.log_path)
        return path.read_text(errors="replace") if path.exists() else ""
