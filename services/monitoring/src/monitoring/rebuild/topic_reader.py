"""Reads whole topics from the beginning, to where they end when reading starts, and merges
them into one sequence in the order the events happened (record timestamps; each partition
stays in offset order). For `python -m monitoring.rebuild`."""

from __future__ import annotations

import heapq
import ssl
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from pact_common.settings import ServiceSettings


def connection(settings: ServiceSettings) -> dict[str, Any]:
    """aiokafka arguments for the service's broker and credentials (SASL/SCRAM, TLS)."""
    args: dict[str, Any] = {"bootstrap_servers": settings.kafka_bootstrap}
    if settings.kafka_sasl_username and settings.kafka_sasl_password:
        args |= {
            "security_protocol": "SASL_SSL" if settings.kafka_use_tls else "SASL_PLAINTEXT",
            "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_plain_username": settings.kafka_sasl_username,
            "sasl_plain_password": settings.kafka_sasl_password.get_secret_value(),
        }
        if settings.kafka_use_tls:
            args["ssl_context"] = ssl.create_default_context()
    return args


@dataclass
class Snapshot:
    """Every record of the topics up to their end offsets, per partition in offset order."""

    partitions: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]] = field(
        default_factory=dict
    )
    end_offsets: dict[TopicPartition, int] = field(default_factory=dict)
    #: partitions not read to their end offset (the broker went quiet first)
    short: list[TopicPartition] = field(default_factory=list)

    def count(self, topic: str) -> int:
        return sum(len(rs) for tp, rs in self.partitions.items() if tp.topic == topic)

    def merged(self, order: Sequence[str]) -> Iterator[ConsumerRecord[bytes, bytes]]:
        """All records by timestamp; at equal times, topics in `order` (reference data first)."""
        rank = {topic: i for i, topic in enumerate(order)}
        return heapq.merge(
            *self.partitions.values(),
            key=lambda r: (r.timestamp, rank.get(r.topic, len(rank)), r.partition, r.offset),
        )


async def read_topics(
    settings: ServiceSettings, topics: Sequence[str], idle_seconds: float = 10.0
) -> Snapshot:
    consumer = AIOKafkaConsumer(
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **connection(settings),
    )
    await consumer.start()
    snapshot = Snapshot()
    try:
        known = await consumer.topics()
        tps = [
            TopicPartition(topic, p)
            for topic in topics
            if topic in known
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        if not tps:
            return snapshot
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        snapshot.end_offsets = dict(await consumer.end_offsets(tps))
        snapshot.partitions = {tp: [] for tp in tps}
        pending = {tp for tp in tps if snapshot.end_offsets[tp] > 0}
        quiet_since = time.monotonic()
        while pending:
            batches = await consumer.getmany(*pending, timeout_ms=500, max_records=5000)
            for tp, records in batches.items():
                end = snapshot.end_offsets[tp]
                snapshot.partitions[tp].extend(r for r in records if r.offset < end)
            done = {tp for tp in pending if await consumer.position(tp) >= snapshot.end_offsets[tp]}
            pending -= done
            if batches:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since > idle_seconds:
                snapshot.short = sorted(pending)
                break
    finally:
        await consumer.stop()
    return snapshot
