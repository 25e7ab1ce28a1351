"""The platform's service processes, run for real (as `make up` runs them) for end-to-end
and fault tests: each on a free port, with the test's own databases and topic namespace;
they can be killed with SIGKILL and started again."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from tests.support.runtime import TEST_RATE_LIMIT

if TYPE_CHECKING:
    from tests.support.keeper import Keeper

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output"


#: ports a service may listen on: below the kernel's ephemeral range (32768 and up), where
#: every client connection of the run (Kafka, MongoDB, HTTP) takes its own local port, so
#: none of them can take a port between its choice and the service's bind
LISTEN_PORTS = range(20_000, 32_000)
_handed_out: set[int] = set()


def free_port() -> int:
    """A port nothing listens on, never handed out before in this run: two services of one
    stack once got the same port, and the portal's "ready" was another service answering."""
    while True:
        port = random.choice(LISTEN_PORTS)
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port


class ServiceProcess:
    """One service (`python -m <name>`) with its environment; logs go to test-output/."""

    def __init__(
        self,
        name: str,
        namespace: str,
        env: Mapping[str, str] | None = None,
        *,
        port: int | None = None,
        kafka: str = "127.0.0.1:9092",
        keeper: bool = True,
    ) -> None:
        """`keeper`: monitoring with the views kept apart (MONITORING_VIEWS_APART) gets the
        views' keeper beside it, started with it and killed with it."""
        self.name = name
        self.port = port or free_port()
        prefix = name.upper()
        self.env = {
            **os.environ,
            f"{prefix}_ENVIRONMENT": "test",
            f"{prefix}_HTTP_PORT": str(self.port),
            f"{prefix}_MONGO_DB": f"{namespace.rstrip('.')}-{name}",
            f"{prefix}_TOPIC_NAMESPACE": namespace,
            f"{prefix}_KAFKA_BOOTSTRAP": kafka,
            f"{prefix}_KAFKA_SESSION_TIMEOUT_MS": "2000",
            f"{prefix}_OUTBOX_POLL_SECONDS": "0.1",
            f"{prefix}_LOG_JSON": "true",
            f"{prefix}_RATE_LIMIT": TEST_RATE_LIMIT,
            f"{prefix}_RATE_LIMIT_ANONYMOUS": TEST_RATE_LIMIT,
            **(env or {}),
        }
        self.database = self.env[f"{prefix}_MONGO_DB"]
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = OUTPUT / f"{namespace.rstrip('.')}-{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.keeper: Keeper | None = None
        if keeper and name == "monitoring":
            from tests.support.keeper import Keeper, views_apart  # it imports this module

            if views_apart(self.env):
                self.keeper = Keeper(self.env, f"{namespace.rstrip('.')}-{self.port}")

    async def start(self, timeout: float = 60.0) -> float:
        """Start and wait until /ready answers 200; returns the seconds it took."""
        OUTPUT.mkdir(exist_ok=True)
        started = time.monotonic()
        self.process = self._spawn()
        self.starts += 1
        async with httpx.AsyncClient(base_url=self.url, timeout=2.0) as client:
            while time.monotonic() - started < timeout:
                if self.process.poll() is not None:
                    raise RuntimeError(
                        f"{self.name} exited with {self.process.returncode}; see {self.log_path}"
                    )
                try:
                    if (await client.get("/ready")).status_code == 200:
                        if self.keeper is not None:
                            await self.keeper.start()
                        return time.monotonic() - started
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        raise TimeoutError(f"{self.name} not ready within {timeout} s; see {self.log_path}")

    def _spawn(self) -> subprocess.Popen[bytes]:
        return spawn(self.name, self.env, self.log_path)

    def kill(self, sig: signal.Signals = signal.SIGKILL) -> None:
        kill_group(self.process, sig)
        self.process = None
        if self.keeper is not None:
            self.keeper.kill()

    def stop(self) -> None:
        self.kill(signal.SIGTERM)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def spawn(module: str, env: Mapping[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    """`python -m module` in a session of its own, its output appended to `log_path`."""
    OUTPUT.mkdir(exist_ok=True)
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", module],
            cwd=ROOT,
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def kill_group(process: subprocess.Popen[bytes] | None, sig: signal.Signals) -> bool:
    """Signal the process's session and wait for it; False if it had already stopped."""
    if process is None or process.poll() is not None:
        return False
    os.killpg(process.pid, sig)
    process.wait(timeout=30)
    return True
