"""Queries during ingestion: while monitoring takes the N reports, 20 clients loop on the
partnership series and the annual report over HTTP, and a separate client asks `/health`
every 100 ms; the ingestion rate is compared with the rate without clients."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from datetime import timedelta
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bench.perf_queries import queries
from bench.perf_world import World, percentile
from pact_common.auth import Principal, Role, TokenIssuer
from pact_common.dev_keys import DEV_JWT_PRIVATE_KEY
from tests.support.stack import ServiceProcess

CLIENTS = 20
HEALTH_EVERY = 0.1
ASKED = ("progress per partnership, series", "annual report")
LAG_SHOWN = {25: "0.025", 50: "0.05", 100: "0.1"}


def _token() -> str:
    issuer = TokenIssuer(DEV_JWT_PRIVATE_KEY, "pact-registry", "pact-platform", timedelta(hours=2))
    return issuer.issue(Principal("secretariat", Role.SECRETARIAT))


def _stats(times: list[float]) -> dict[str, Any]:
    if not times:
        return {"n": 0}
    return {
        "n": len(times),
        "p50_ms": round(percentile(times, 50), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "p99_ms": round(percentile(times, 99), 1),
        "max_ms": round(max(times), 1),
    }


async def _client(
    http: httpx.AsyncClient,
    paths: list[Any],
    seed: int,
    stop: asyncio.Event,
    times: dict[str, list[float]],
    errors: list[str],
) -> None:
    rng = random.Random(seed)
    turn = seed
    while not stop.is_set():
        name, path = paths[turn % len(paths)]
        turn += 1
        started = time.perf_counter()
        try:
            response = await http.get(path(rng))
            response.raise_for_status()
        except httpx.HTTPError as error:
            errors.append(f"{name}: {error!r}"[:200])
            await asyncio.sleep(0.1)
            continue
        times[name].append((time.perf_counter() - started) * 1000)


async def _health(url: str, stop: asyncio.Event, times: list[float]) -> int:
    """`/health` on a fixed 100 ms schedule; a probe still waiting when the next is due
    delays it (its latency is what counts); returns the failures."""
    failures = 0
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        started = time.perf_counter()
        tick = 0
        while not stop.is_set():
            tick += 1
            asked = time.perf_counter()
            try:
                (await http.get("/health")).raise_for_status()
                times.append((time.perf_counter() - asked) * 1000)
            except httpx.HTTPError:
                failures += 1
            due = started + tick * HEALTH_EVERY
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=max(0.0, due - time.perf_counter()))
    return failures


async def loop_lag(http: httpx.AsyncClient) -> dict[str, Any]:
    """The service's own pact_event_loop_lag_seconds (a wake-up every 100 ms, from its start):
    how many wake-ups were late by more than 25, 50 and 100 ms."""
    text = (await http.get("/metrics")).text
    buckets: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "pact_event_loop_lag_seconds_bucket":
                buckets[sample.labels["le"]] = sample.value
    count = buckets.get("+Inf", 0.0)
    return {
        "n": int(count),
        **{f"over_{ms}ms": int(count - buckets.get(le, count)) for ms, le in LAG_SHOWN.items()},
    }


def clients(world: World, year: int) -> Any:
    """The `during` of perf_ingest.ingest: the 20 clients and the health prober."""
    asked = queries(world, year)
    paths = [(name, asked[name]) for name in ASKED]

    async def during(service: ServiceProcess, stop: asyncio.Event) -> dict[str, Any]:
        times: dict[str, list[float]] = {name: [] for name in ASKED}
        health: list[float] = []
        errors: list[str] = []
        headers = {"Authorization": f"Bearer {_token()}"}
        limits = httpx.Limits(max_connections=CLIENTS + 2)
        async with httpx.AsyncClient(
            base_url=service.url, headers=headers, timeout=120, limits=limits
        ) as http:
            tasks = [
                asyncio.create_task(_client(http, paths, i, stop, times, errors))
                for i in range(CLIENTS)
            ]
            failures = await _health(service.url, stop, health)
            # a request under way when the ingestion ends is not waited for
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            lag = await loop_lag(http)
        return {
            "loop_lag": lag,
            "clients": CLIENTS,
            "queries": {name: _stats(t) for name, t in times.items()},
            "health": _stats(health) | {"failures": failures},
            "errors": len(errors),
            "first_errors": errors[:3],
        }

    return during
