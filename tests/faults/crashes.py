"""Crashes, not stops: each fault below is a kill -9 that lands while work is in flight, and
returns (or leaves in `proof`) what shows that it did. The recovery tests run them alongside
the clean restarts; the figures they print are the same (tally.py).

- the broker and its storage server, killed once the first acknowledgement of a round has
  come back while the rest of the round is still unacknowledged;
- mongod, killed while $currentOp shows a transaction open (the next start recovers from
  the journal);
- monitoring, killed while a batch's transaction is held open by its test-only pause point
  (monitoring.core.adapters.fault_pause): the batch was consumed, mongod shows the
  transaction open, its receipts are not visible outside it, and after the restart the same
  reports are delivered again and taken (their offsets had not been committed). The group's
  committed offsets are not read directly: aiokafka cannot decode Tansu 0.6's OffsetFetch
  answer to its admin client, and its consumer's `committed()` reads 0 after a commit;
- the outbox relay as a process of its own (relay_crash.py), killed after its batch was
  acknowledged by the broker and before it was marked sent."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Any

from monitoring.keeper.__main__ import APP_NAME as KEEPER
from tests.support.infra import open_transactions
from tests.support.kafka import wait_until
from tests.support.stack import ROOT

from .campaign import Campaign

Proof = dict[str, object]


def pause_file(c: Campaign) -> Path:
    """The file whose existence arms monitoring's pause point (MONITORING_FAULT_PAUSE_FILE)."""
    return Path(c.instances[0].env["MONITORING_FAULT_PAUSE_FILE"])


def arm(armed: Path, held: Path, *, on: bool) -> None:
    held.unlink(missing_ok=True)
    if on:
        armed.touch()
    else:
        armed.unlink(missing_ok=True)


async def kill_monitoring_mid_batch(c: Campaign, proof: Proof) -> None:
    """Armed before a round: wait for the pause point to hold a batch, prove it is in flight,
    kill -9, disarm, start again."""
    a = c.instances[0]
    armed = pause_file(c)
    held = Path(f"{armed}.held")
    arm(armed, held, on=True)
    try:
        await wait_until(held.exists, timeout=60, interval=0.01)
        batch = json.loads(held.read_text())["event_ids"]  # noqa: ASYNC240 - small, local
        proof["batch"] = len(batch)
        proof["open_transactions"] = await open_transactions(c.client, appName={"$ne": KEEPER})
        proof["receipts_visible"] = await c.db["receipts"].count_documents({"_id": {"$in": batch}})
        a.kill()
        c.probe_recovery()
    finally:
        arm(armed, held, on=False)
    killed = time.monotonic()
    proof["restart"] = await a.start()
    count = 0

    async def taken() -> bool:  # delivered again: the offsets were not committed past them
        nonlocal count
        count = await c.db["receipts"].count_documents({"_id": {"$in": batch}})
        return count == len(batch)

    with contextlib.suppress(AssertionError):  # the test says how many were not
        await wait_until(taken, timeout=150, interval=0.2)
    proof["receipts_after_restart"] = count
    proof["batch_taken_after"] = time.monotonic() - killed


async def kill_broker_mid_produce(c: Campaign, proof: Proof) -> None:
    """Started before a round is sent: once the whole round is handed to the producer, kill
    -9 the broker and its storage server (acknowledgements take tens of ms on disk, so most
    are still to come); 2 s later start them (the data is on disk)."""
    size = len(c.world.rounds[c.rounds_sent])
    before, started_before = c.producer.sent, c.producer.started
    await wait_until(
        lambda: c.producer.started - started_before >= size, timeout=60, interval=0.001
    )
    started = time.monotonic()
    proof["killed"] = "+".join(await c.kafka.kill())
    proof["unacknowledged"] = size - (c.producer.sent - before)
    proof["round"] = size
    c.probe_recovery()
    await asyncio.sleep(2.0)
    await c.kafka.start()
    proof["broker_down"] = f"{time.monotonic() - started:.1f} s"


async def kill_mongod_mid_transaction(c: Campaign, proof: Proof) -> None:
    """Started before a round is sent: as soon as mongod shows a transaction open, kill -9
    it; 3 s later start it (journal recovery)."""
    found = 0

    async def in_transaction() -> bool:
        nonlocal found
        found = await open_transactions(c.client, appName={"$ne": KEEPER})
        return found > 0

    await wait_until(in_transaction, timeout=60, interval=0.005)
    started = time.monotonic()
    assert await c.mongo.kill()
    proof["open_transactions"] = found
    c.probe_recovery()
    await asyncio.sleep(3.0)
    await c.mongo.start()
    proof["mongod_down"] = f"{time.monotonic() - started:.1f} s"


async def kill_relay_process(c: Campaign, proof: Proof) -> None:
    """With monitoring's relay kept off the outbox (its lease taken) and alerts pending: a
    relay process publishes them and is killed -9 before marking them sent."""
    await wait_until(c.pending_alerts, timeout=60)
    args = [c.mongo.url, c.instances[0].database, c.namespace, c.kafka.bootstrap]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.faults.relay_crash",
        *args,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
        ids: list[Any] = json.loads(line)["published_not_marked"]
    finally:
        process.kill()  # SIGKILL
        await process.wait()
    killed = time.monotonic()
    c.recovery = None  # what recovers here is the relay: republished_after says when
    query = {"_id": {"$in": ids}, "published_at": None}
    proof["published_not_marked"] = len(ids)
    proof["unmarked_after_kill"] = await c.db["outbox"].count_documents(query)

    async def republished() -> bool:
        return bool(await c.db["outbox"].count_documents(query) == 0)

    await wait_until(republished, timeout=60, interval=0.1)
    proof["republished_after"] = f"{time.monotonic() - killed:.1f} s"
