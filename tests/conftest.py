"""Shared fixtures. Integration tests need the local MongoDB and Kafka broker running
(`make test` starts them); each test gets its own database and topic namespace."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator

import pytest
from hypothesis import settings
from pymongo import AsyncMongoClient

MONGO_URL = "mongodb://127.0.0.1:27017/?replicaSet=rs0"

# No property test checks how long an example takes: a pause of a busy machine must not
# fail one (Hypothesis' default deadline is 200 ms per example)
settings.register_profile("pact", deadline=None)
settings.load_profile("pact")


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def infrastructure() -> None:
    missing = [name for name, port in (("MongoDB", 27017), ("Kafka", 9092)) if not _port_open(port)]
    if missing:
        pytest.fail(f"{' and '.join(missing)} not running: start them with `make infra`")


@pytest.fixture
def namespace(infrastructure: None) -> str:
    """A topic prefix and database name of this test's own."""
    return f"t{uuid.uuid4().hex[:10]}."


@pytest.fixture
async def mongo_client(infrastructure: None) -> AsyncIterator[AsyncMongoClient[dict]]:
    client: AsyncMongoClient[dict] = AsyncMongoClient(MONGO_URL, tz_aware=True)
    yield client
    await client.close()


@pytest.fixture
async def db_name(namespace: str, mongo_client: AsyncMongoClient[dict]) -> AsyncIterator[str]:
    name = namespace.rstrip(".")
    yield name
    await mongo_client.drop_database(name)


def pytest_sessionstart(session: pytest.Session) -> None:
    from tests.faults.harness import SUMMARY

    SUMMARY.unlink(missing_ok=True)  # this run's figures only


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The fault and hostile-input suites' figures, printed with the results."""
    from tests.faults.harness import SUMMARY

    if SUMMARY.exists():
        terminalreporter.section("fault and hostile-input figures")
        for line in SUMMARY.read_text().splitlines():
            terminalreporter.write_line(line)
