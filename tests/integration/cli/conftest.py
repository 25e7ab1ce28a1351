"""The real services as processes of their own, on free ports, each with the module's own
database and topic namespace, for pactctl to drive as a partner or the secretariat would."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pymongo import MongoClient

from tests.support.keeper import Keeper, views_apart
from tests.support.runtime import TEST_RATE_LIMIT
from tests.support.stack import free_port

MONGO_URL = "mongodb://127.0.0.1:27017/?replicaSet=rs0"


@dataclass(frozen=True)
class Service:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


def database(namespace: str, module: str) -> str:
    return f"{namespace.rstrip('.')}_{module}"


def start(module: str, namespace: str, log_dir: Path, timeout: float = 60.0) -> Service:
    """`python -m <module>` with <MODULE>_* settings; returns once /ready answers 200."""
    prefix, port = module.upper(), free_port()
    env = os.environ | {
        f"{prefix}_MONGO_DB": database(namespace, module),
        f"{prefix}_TOPIC_NAMESPACE": namespace,
        f"{prefix}_HTTP_PORT": str(port),
        f"{prefix}_ENVIRONMENT": "test",
        f"{prefix}_KAFKA_SESSION_TIMEOUT_MS": "2000",
        f"{prefix}_OUTBOX_POLL_SECONDS": "0.1",
        f"{prefix}_LOG_LEVEL": "WARNING",
        f"{prefix}_RATE_LIMIT": TEST_RATE_LIMIT,
        f"{prefix}_RATE_LIMIT_ANONYMOUS": TEST_RATE_LIMIT,
    }
    log = log_dir / f"{module}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", module], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                return Service(url, process, log)
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    stop(Service(url, process, log))
    pytest.fail(f"{module} did not become ready; its log:\n{log.read_text()[-3000:]}")


def stop(service: Service) -> None:
    service.process.terminate()
    try:
        service.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        service.process.kill()
        service.process.wait()


@pytest.fixture(scope="module")
def stack_namespace(infrastructure: None) -> Iterator[str]:
    """The module's topic namespace; its services' databases are dropped afterwards."""
    namespace = f"t{uuid.uuid4().hex[:10]}."
    yield namespace
    client: MongoClient[dict[str, object]] = MongoClient(MONGO_URL)
    try:
        for module in ("registry", "commitments", "monitoring"):
            client.drop_database(database(namespace, module))
    finally:
        client.close()


@pytest.fixture(scope="module")
def registry(stack_namespace: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    service = start("registry", stack_namespace, tmp_path_factory.mktemp("registry"))
    yield service
    stop(service)


@pytest.fixture(scope="module")
def commitments(
    stack_namespace: str, registry: Service, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    service = start("commitments", stack_namespace, tmp_path_factory.mktemp("commitments"))
    yield service
    stop(service)


@pytest.fixture(scope="module")
def monitoring(
    stack_namespace: str, commitments: Service, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    service = start("monitoring", stack_namespace, tmp_path_factory.mktemp("monitoring"))
    keeper = None
    if views_apart():  # the default (not make test-inline): the views' keeper beside it
        env = {"MONITORING_MONGO_DB": database(stack_namespace, "monitoring"),
               "MONITORING_ENVIRONMENT": "test", "MONITORING_LOG_LEVEL": "WARNING"}  # fmt: skip
        keeper = Keeper(os.environ | env, stack_namespace.rstrip("."))
        keeper.spawn()
    yield service
    stop(service)
    if keeper is not None:
        keeper.kill()
