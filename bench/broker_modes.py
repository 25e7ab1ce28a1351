"""How fast the local broker moves progress reports in each storage mode.

    .venv/bin/python bench/broker_modes.py --bootstrap 127.0.0.1:9092 --messages 2000

Produces N progress reports one send at a time (as FastStream's publish does) and then in
batches (linger), and consumes them with a consumer group from the beginning; prints msg/s.
Start the broker in the mode to measure first (scripts/kafka.sh, KAFKA_STORAGE=disk|memory).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from pact_contracts import ProgressReported


def report(i: int) -> bytes:
    return ProgressReported(
        partner_id="p-bench",
        commitment_id=f"c-{i % 50}",
        period="2026-Q3",
        revision=1,
        people_trained=i % 100,
    ).to_bytes()


async def produce(bootstrap: str, topic: str, n: int, linger_ms: int) -> float:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, enable_idempotence=False, linger_ms=linger_ms
    )
    await producer.start()
    started = time.perf_counter()
    try:
        if linger_ms == 0:
            for i in range(n):
                await producer.send_and_wait(topic, report(i), key=f"c-{i % 50}".encode())
        else:
            futures = [
                await producer.send(topic, report(i), key=f"c-{i % 50}".encode()) for i in range(n)
            ]
            await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return n / (time.perf_counter() - started)


async def consume(bootstrap: str, topic: str, n: int) -> float:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"bench-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest",
        session_timeout_ms=2000,
        heartbeat_interval_ms=400,
        fetch_max_wait_ms=500,
    )
    await consumer.start()
    seen = 0
    started: float | None = None
    try:
        while seen < n:
            batches = await consumer.getmany(timeout_ms=1000, max_records=1000)
            if batches and started is None:
                started = time.perf_counter()
            seen += sum(len(b) for b in batches.values())
        await consumer.commit()
    finally:
        await consumer.stop()
    return n / (time.perf_counter() - (started or time.perf_counter()))


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    results = {}
    for name, linger in (("one per send", 0), ("batched (linger 5 ms)", 5)):
        topic = f"bench-{uuid.uuid4().hex[:8]}"
        results[name] = {
            "produce_msg_s": round(await produce(args.bootstrap, topic, args.messages, linger)),
            "consume_msg_s": round(await consume(args.bootstrap, topic, args.messages)),
        }
    print(json.dumps({"mode": args.label, "messages": args.messages, **results}))


if __name__ == "__main__":
    asyncio.run(main())
