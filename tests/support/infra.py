"""Dedicated MongoDB and Kafka servers for fault tests, so stopping them disturbs no other
test: started with the project's own scripts on free ports, data under test-output/."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from tests.support.stack import OUTPUT, ROOT, free_port


async def _script(script: str, action: str, env: dict[str, str]) -> str:
    result = await asyncio.to_thread(
        subprocess.run,
        ["bash", f"scripts/{script}", action],
        cwd=ROOT,
        env={**os.environ, "PYTHON": sys.executable, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{script} {action} failed: {result.stdout}\n{result.stderr}")
    return result.stdout


def _sigkill(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, signal.SIGKILL)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None
    return pid


def _gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")
    except (FileNotFoundError, IndexError):
        return True


async def kill_9(pid_file: Path) -> bool:
    """A crash: SIGKILL to the process the pid file names, then wait until it is gone (or
    a zombie). False if it was not running."""
    pid = _sigkill(pid_file)
    if pid is None:
        return False
    for _ in range(300):
        if _gone(pid):
            break
        await asyncio.sleep(0.01)
    return True


class DedicatedKafka:
    """A Tansu broker persisted to disk (through localbucket) on its own ports."""

    def __init__(self, name: str) -> None:
        self.home = OUTPUT / f"kafka-{name}"
        self.port = free_port()
        self.env = {
            "KAFKA_HOME": str(self.home),
            "KAFKA_PORT": str(self.port),
            "S3_PORT": str(free_port()),
            "KAFKA_STORAGE": "disk",
        }
        self.bootstrap = f"127.0.0.1:{self.port}"

    async def start(self) -> None:
        await _script("kafka.sh", "start", self.env)

    async def stop(self) -> None:
        await _script("kafka.sh", "stop", self.env)

    async def kill(self) -> list[str]:
        """kill -9 of the broker and of its storage server at once: what was killed."""
        run = self.home / "run"
        names = ("tansu", "s3")
        killed = await asyncio.gather(*(kill_9(run / f"{n}.pid") for n in names))
        return [n for n, k in zip(names, killed, strict=True) if k]

    async def remove(self) -> None:
        await self.stop()
        shutil.rmtree(self.home, ignore_errors=True)


class DedicatedMongo:
    """A mongod replica set of its own, on its own port and data directory."""

    def __init__(self, name: str) -> None:
        self.home: Path = OUTPUT / f"mongo-{name}"
        self.port = free_port()
        self.env = {"MONGO_HOME": str(self.home), "MONGO_PORT": str(self.port)}
        self.url = f"mongodb://127.0.0.1:{self.port}/?replicaSet=rs0"

    async def start(self) -> None:
        await _script("mongo.sh", "start", self.env)

    async def stop(self) -> None:
        await _script("mongo.sh", "stop", self.env)

    async def kill(self) -> bool:
        """kill -9: no checkpoint; the next start recovers from the journal."""
        return await kill_9(self.home.resolve() / "mongod.pid")

    async def remove(self) -> None:
        await self.stop()
        shutil.rmtree(self.home, ignore_errors=True)


async def open_transactions(client: AsyncMongoClient[Any], **match: Any) -> int:
    """Transactions mongod holds open now (active or idle between operations), of the
    operations `match` selects too (`appName="monitoring-keeper"`: the views' keeper's)."""
    pipeline: list[dict[str, Any]] = [
        {"$currentOp": {"idleSessions": True, "allUsers": True}},
        {"$match": {"transaction": {"$exists": True}} | match},
    ]
    return len(await (await client.admin.aggregate(pipeline)).to_list())


async def transaction_lifetime(client: AsyncMongoClient[Any]) -> float:
    """How long mongod lets a transaction live before it aborts it (a client killed in one
    leaves it holding its documents until then): transactionLifetimeLimitSeconds."""
    answer = await client.admin.command({"getParameter": 1, "transactionLifetimeLimitSeconds": 1})
    return float(answer["transactionLifetimeLimitSeconds"])
