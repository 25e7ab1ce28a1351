"""Dedicated MongoDB and Kafka servers for fault tests, so stopping them disturbs no other
test: started with the project's own scripts on free ports, data under test-output/."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

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

    async def remove(self) -> None:
        await self.stop()
        shutil.rmtree(self.home, ignore_errors=True)
