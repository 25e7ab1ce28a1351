"""Sustained load: reports produced at a fixed rate (5k, 10k, 20k/s) for a fixed time while
monitoring runs, each rate on a fresh service; the group's lag sampled every 0.5 s. It kept
up when the lag left at the end of the production is under one second of it."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bench.perf_load import LagReader, paced, sample_lag
from bench.perf_phases import Bench, load, progress_topic, read_models, step
from bench.perf_world import World, percentile
from pactctl.simulation import ProgressSimulator


async def sustained(bench: Bench, world: World, rate: int, seconds: int) -> dict[str, Any]:
    service = bench.service(f"sustained-{rate}")
    step(f"[sustained {rate:,}/s] setting up read models:", len(world.commitments), "commitments")
    read_models_s = await read_models(bench, service, world)
    started = time.perf_counter()
    simulator = ProgressSimulator(world.commitments, seed=5, today=bench.today)
    messages = [
        (r.to_bytes(), r.partner_id.encode())
        for r in (simulator.next_report() for _ in range(rate * seconds))
    ]
    generated = time.perf_counter() - started
    topic = progress_topic(service)
    group = f"{service.env['MONITORING_TOPIC_NAMESPACE']}monitoring.progress"
    await service.start()
    step(f"[sustained {rate:,}/s] producing for {seconds} s:", len(messages), "reports")
    before = load()
    stop = asyncio.Event()
    async with LagReader(bench.bootstrap, group, topic) as reader:
        sampler = asyncio.create_task(sample_lag(reader, stop))
        produced = await paced(bench.bootstrap, topic, messages, rate)
        stop.set()
        samples = await sampler
    service.stop()
    lags = [lag for _, lag in samples]
    achieved = produced["achieved_per_s"]
    end = lags[-1]
    return {
        "rate": rate,
        "seconds": seconds,
        "read_models_s": read_models_s,
        "generate_s": round(generated, 1),
        "produced": produced,
        "load_before": before,
        "lag_p50": percentile(lags, 50),
        "lag_p99": percentile(lags, 99),
        "lag_p50_s": round(percentile(lags, 50) / achieved, 2),
        "lag_p99_s": round(percentile(lags, 99) / achieved, 2),
        "lag_end": end,
        "lag_end_s": round(end / achieved, 2),
        "kept_up": end < achieved,
        "taken_per_s": round((produced["sent"] - end) / produced["seconds"]),
        "samples": samples,
    }
