"""A webhook receiver for tests: a real HTTP server (uvicorn) on 127.0.0.1, on a free port,
that answers 503 to the first `fail_first` attempts of each delivery (webhook-id) and
204 after, and keeps every request."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn

from tests.support.kafka import wait_until


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def event(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass
class Receiver:
    fail_first: int = 2
    url: str = ""
    requests: list[Received] = field(default_factory=list)
    attempts: Counter[str] = field(default_factory=Counter)

    @property
    def delivered(self) -> list[Received]:
        return [r for r in self.requests if r.ok]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        delivery = headers.get("webhook-id", "")
        self.attempts[delivery] += 1
        status = 503 if self.attempts[delivery] <= self.fail_first else 204
        self.requests.append(Received(scope["path"], headers, body, status))
        answer = b"busy, try later" if status == 503 else b""
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-length", str(len(answer)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": answer})


@contextlib.asynccontextmanager
async def serving(receiver: Receiver) -> AsyncIterator[Receiver]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    receiver.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = uvicorn.Config(receiver, lifespan="off", log_config=None, access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        await wait_until(lambda: server.started, timeout=10, interval=0.01)
        yield receiver
    finally:
        server.should_exit = True
        await task
        sock.close()
