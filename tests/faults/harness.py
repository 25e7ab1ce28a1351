"""Tools of the fault tests: Kafka clients for any broker (the dedicated ones too), a webhook
receiver that records every delivery, and the summary lines the fault tests print."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from aiokafka.structs import RecordMetadata

from tests.support.kafka import BOOTSTRAP, read_topic
from tests.support.stack import OUTPUT

SUMMARY = OUTPUT / "faults-summary.txt"


def summary(line: str, record: Callable[[str, object], None] | None = None) -> None:
    """Printed (shown with -s), appended to the summary file, and with pytest's
    `record_property` a property of the test case in the junit report."""
    print(line)
    if record is not None:
        record("summary", line)
    OUTPUT.mkdir(exist_ok=True)
    with SUMMARY.open("a", encoding="utf-8") as out:
        out.write(line + "\n")


class RawProducer:
    """Sends bytes as they are (no validation), to any broker; a send that fails because the
    broker is away is tried again until `patience` runs out (the same bytes: at worst a
    duplicate on the topic, which consumers ignore). Counts what it sent."""

    def __init__(self, bootstrap: str = BOOTSTRAP, *, patience: float = 120.0) -> None:
        self.bootstrap = bootstrap
        self.patience = patience
        self.started = 0  # sends handed to the producer
        self.sent = 0  # sends acknowledged
        self.resent = 0
        self._producer: AIOKafkaProducer | None = None

    async def __aenter__(self) -> RawProducer:
        await self._connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._producer is not None:
            await self._producer.stop()

    async def _connect(self) -> None:
        deadline = time.monotonic() + self.patience
        while True:
            producer = AIOKafkaProducer(
                bootstrap_servers=self.bootstrap,
                enable_idempotence=False,
                request_timeout_ms=5000,
                max_request_size=2 * 1024 * 1024,
                # a round in a batch per partition, as a partner's producer batches: each
                # batch is an object the disk broker lists on every fetch (reference notes)
                max_batch_size=1024 * 1024,
            )
            try:
                await producer.start()
            except KafkaError:
                await producer.stop()
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)
                continue
            self._producer = producer
            return

    async def send(
        self,
        topic: str,
        value: bytes | None,
        key: bytes | None = None,
        headers: Sequence[tuple[str, bytes | None]] | None = None,
    ) -> RecordMetadata:
        deadline = time.monotonic() + self.patience
        attempt = 0
        self.started += 1
        while True:
            assert self._producer is not None
            try:
                meta = await self._producer.send_and_wait(
                    topic, value, key=key, headers=list(headers) if headers else None
                )
            except KafkaError:
                if time.monotonic() > deadline:
                    raise
                attempt += 1
                await asyncio.sleep(0.5)
                continue
            self.sent += 1
            self.resent += attempt > 0
            return meta

    async def send_all(
        self,
        topic: str,
        messages: Iterable[tuple[bytes, bytes, Sequence[tuple[str, bytes | None]] | None]],
    ) -> None:
        """Concurrently: callers pass messages of distinct keys (their order is kept)."""
        await asyncio.gather(*(self.send(topic, v, k, h) for v, k, h in messages))


async def read_events(topic: str, count: int, **kw: Any) -> list[dict[str, Any]]:
    """Every event of `topic` (as tests.support.kafka.read_topic, on any broker)."""
    return [json.loads(r.value) for r in await read_topic(topic, count, **kw) if r.value]


@dataclass
class Delivery:
    path: str
    delivery_id: str
    event_type: str
    body: dict[str, Any]


@dataclass
class WebhookReceiver:
    """A minimal HTTP/1.1 server (keep-alive, Content-Length bodies) answering 204 to every
    POST and recording it: the partners' and the secretariat's webhook endpoints."""

    received: list[Delivery] = field(default_factory=list)
    port: int = 0
    _server: asyncio.Server | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (line.partition(":") for line in lines[1:] if line)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.received.append(
                    Delivery(
                        path,
                        headers.get("webhook-id", ""),
                        headers.get("x-pact-event", ""),
                        json.loads(body) if body else {},
                    )
                )
                writer.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()
