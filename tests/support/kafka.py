"""Reading and writing topics with the raw Kafka client, as an outside observer would."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord

BOOTSTRAP = "127.0.0.1:9092"


async def read_topic(
    topic: str,
    count: int,
    timeout: float = 20.0,
    *,
    settle: float = 0.0,
    bootstrap: str = BOOTSTRAP,
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of `topic` from the beginning, until `count` are read (then `settle`
    seconds more, to catch any extra) or `timeout` passes."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        metadata_max_age_ms=500,
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        deadline = time.monotonic() + timeout
        settle_until: float | None = None
        while time.monotonic() < deadline:
            if len(records) >= count:
                settle_until = settle_until or time.monotonic() + settle
                if time.monotonic() >= settle_until:
                    break
            batches = await consumer.getmany(timeout_ms=200)
            for batch in batches.values():
                records.extend(batch)
    finally:
        await consumer.stop()
    records.sort(key=lambda r: (r.partition, r.offset))
    return records


async def read_events(
    topic: str, count: int, timeout: float = 20.0, **kw: Any
) -> list[dict[str, Any]]:
    return [json.loads(r.value) for r in await read_topic(topic, count, timeout, **kw)]


class Producer:
    def __init__(self) -> None:
        self._producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, enable_idempotence=False)

    async def __aenter__(self) -> Producer:
        await self._producer.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._producer.stop()

    async def send(
        self,
        topic: str,
        value: bytes,
        key: bytes | None = None,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> None:
        await self._producer.send_and_wait(topic, value, key=key, headers=headers)


async def wait_until(predicate: Any, timeout: float = 20.0, interval: float = 0.1) -> Any:
    """Await `predicate()` (sync or async) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = predicate()
        if asyncio.iscoroutine(last):
            last = await last
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s (last value: {last!r})")
