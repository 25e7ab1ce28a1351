"""Webhook receivers that misbehave on real sockets: one drips its answer a byte at a time,
one never answers, one answers 503 with a gzip body that inflates to 64 MiB. Sent together
with two healthy receivers, none of them delays the healthy ones, each attempt ends within
the sender's deadline, and the sender's memory stays small (the answer is never inflated)."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import time
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from monitoring.notify.adapters.webhook_keys import WebhookKeys
from monitoring.notify.adapters.webhooks import HttpWebhookSender
from monitoring.notify.domain.delivery import Destination, deliveries_for
from monitoring.notify.service_layer.ports import Sent
from pact_common.webhook_secrets import new_secret
from tests.unit.monitoring.builders import NOW
from tests.unit.monitoring.test_delivery import notice

pytestmark = pytest.mark.integration

DEADLINE = 1.5
BOMB = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _request(reader: asyncio.StreamReader) -> None:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        ),
        0,
    )
    await reader.readexactly(length)


async def healthy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _request(reader)
    writer.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
    await writer.drain()


async def dripping(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _request(reader)
    for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 1000:
        writer.write(bytes([byte]))
        await writer.drain()
        await asyncio.sleep(0.2)


async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _request(reader)
    await asyncio.sleep(3600)


async def bomb(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _request(reader)
    head = (
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
        f"Content-Encoding: gzip\r\nContent-Length: {len(BOMB)}\r\n\r\n"
    )
    writer.write(head.encode() + BOMB)
    await writer.drain()


@contextlib.asynccontextmanager
async def serving(handler: Handler) -> AsyncIterator[str]:
    """A real HTTP server on a free loopback port; its connections end with it."""
    running: set[asyncio.Task[None]] = set()

    async def guarded(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        running.add(task)
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await handler(reader, writer)
        writer.close()

    server = await asyncio.start_server(guarded, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/hook"
    finally:
        server.close()
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)


async def test_no_receiver_holds_up_the_others_or_fills_memory() -> None:
    keys = WebhookKeys("a deployment key of 32 characters or more", (new_secret(),))
    sender = HttpWebhookSender(keys, DEADLINE, private_networks=True)
    delivery = deliveries_for(notice(), '{"event_type": "AlertFired"}', ["secretariat"], NOW)[0]
    kinds = {"healthy-1": healthy, "healthy-2": healthy, "dripping": dripping}
    kinds |= {"silent": silent, "gzip-bomb": bomb}
    async with contextlib.AsyncExitStack() as stack:
        urls = {name: await stack.enter_async_context(serving(h)) for name, h in kinds.items()}
        # the sender's first use (its client, imports) is not what is timed: warmed up first
        assert (await sender.send(Destination(urls["healthy-1"]), delivery)).ok
        done: dict[str, tuple[float, Sent]] = {}
        started = time.monotonic()

        async def attempt(name: str) -> None:
            sent = await sender.send(Destination(urls[name]), delivery)
            done[name] = (time.monotonic() - started, sent)

        tracemalloc.start()
        await asyncio.gather(*(attempt(name) for name in urls))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        await sender.close()
    for name, (seconds, sent) in done.items():
        print(f"{name}: {seconds:.2f} s, {sent}")
    print(f"peak memory while sending: {peak / 1024:.0f} KiB (the bomb inflates to 64 MiB)")
    assert all(done[h][0] < 0.5 and done[h][1].ok for h in ("healthy-1", "healthy-2"))
    assert done["dripping"][1].error == "timed out"
    assert done["silent"][1].error == "timed out"
    assert (done["gzip-bomb"][1].status_code, done["gzip-bomb"][1].error) == (503, "HTTP 503")
    assert max(seconds for seconds, _ in done.values()) < DEADLINE + 1.0
    assert peak < 8 * 1024 * 1024
