"""A producer that holds a fixed rate (aiokafka's batch API, partitioned by key as its
default partitioner does, so a commitment's reports keep their order), and a sampler of a
consumer group's lag (end offsets minus committed offsets)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.partitioner import DefaultPartitioner

TICK = 0.02  # seconds between two sends of the load


async def paced(
    bootstrap: str, topic: str, messages: Sequence[tuple[bytes, bytes]], rate: int
) -> dict[str, Any]:
    """Sends `messages` at `rate` per second (a slice every TICK, on a fixed schedule);
    returns the rate reached and how far behind the schedule the producer fell."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        enable_idempotence=False,
        linger_ms=5,
        max_batch_size=512 * 1024,
    )
    await producer.start()
    partitioner = DefaultPartitioner()
    partitions = sorted(await producer.partitions_for(topic))
    pending: list[asyncio.Future[Any]] = []
    behind = 0.0
    try:
        started = time.perf_counter()
        sent, tick = 0, 0
        while sent < len(messages):
            tick += 1
            upto = min(len(messages), round(rate * TICK * tick))
            batches: dict[int, Any] = {}
            for value, key in messages[sent:upto]:
                partition = partitioner(key, partitions, partitions)
                batch = batches.get(partition)
                if batch is None:
                    batch = batches[partition] = producer.create_batch()
                if batch.append(key=key, value=value, timestamp=None) is None:
                    batch.close()
                    pending.append(await producer.send_batch(batch, topic, partition=partition))
                    batch = batches[partition] = producer.create_batch()
                    batch.append(key=key, value=value, timestamp=None)
            for partition, batch in batches.items():
                batch.close()
                pending.append(await producer.send_batch(batch, topic, partition=partition))
            sent = upto
            pending = [f for f in pending if not f.done()]
            due = started + tick * TICK
            behind = max(behind, time.perf_counter() - due)
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
        await asyncio.gather(*pending)
        elapsed = time.perf_counter() - started
    finally:
        await producer.stop()
    return {
        "sent": sent,
        "seconds": round(elapsed, 2),
        "achieved_per_s": round(sent / elapsed),
        "max_behind_schedule_ms": round(behind * 1000, 1),
    }


class LagReader:
    """A group's lag on a topic, summed over its partitions."""

    def __init__(self, bootstrap: str, group: str, topic: str) -> None:
        self._admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        self._consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        self._group, self._topic = group, topic
        self._partitions: list[TopicPartition] = []

    async def __aenter__(self) -> LagReader:
        await self._admin.start()
        await self._consumer.start()
        (described,) = await self._admin.describe_topics([self._topic])
        self._partitions = [
            TopicPartition(self._topic, p["partition"]) for p in described["partitions"]
        ]
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._consumer.stop()
        await self._admin.close()

    async def lag(self) -> int:
        ends = await self._consumer.end_offsets(self._partitions)
        done = await self._admin.list_consumer_group_offsets(
            self._group, partitions=self._partitions
        )
        return sum(max(0, ends[p] - max(0, done[p].offset if p in done else 0)) for p in ends)


async def sample_lag(
    reader: LagReader, stop: asyncio.Event, every: float = 0.5
) -> list[tuple[float, int]]:
    """(seconds since the start, lag) every `every` seconds until `stop`, then once more."""
    started = time.perf_counter()
    samples: list[tuple[float, int]] = []
    while not stop.is_set():
        samples.append((round(time.perf_counter() - started, 2), await reader.lag()))
        due = started + len(samples) * every
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=max(0.0, due - time.perf_counter()))
    samples.append((round(time.perf_counter() - started, 2), await reader.lag()))
    return samples
