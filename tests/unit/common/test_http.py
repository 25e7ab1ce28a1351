"""What every service's HTTP side shares (pact_common.http): the methods a path allows."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI

from pact_common.http import ReadsInTurn, install_common


def app() -> FastAPI:
    """Two routes on each path, as GET /partners and POST /partners are."""
    built = FastAPI()
    install_common(built, max_body_bytes=1000)

    @built.get("/things")
    async def listing() -> list[str]:
        return []

    @built.post("/things")
    async def create() -> str:
        return "made"

    @built.get("/things/{thing_id}")
    async def read(thing_id: str) -> str:
        return thing_id

    @built.patch("/things/{thing_id}")
    async def change(thing_id: str) -> str:
        return thing_id

    return built


async def call(method: str, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.request(method, path)


@pytest.mark.parametrize(
    ("path", "allow"),
    [("/things", "GET, OPTIONS, POST"), ("/things/t-1", "GET, OPTIONS, PATCH")],
)
async def test_options_names_every_method_of_the_path(path: str, allow: str) -> None:
    answer = await call("OPTIONS", path)
    assert answer.status_code == 204
    assert answer.headers["allow"] == allow


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/things", "GET, OPTIONS, POST"),
        ("PUT", "/things/t-1", "GET, OPTIONS, PATCH"),
        ("POST", "/things/t-1", "GET, OPTIONS, PATCH"),
    ],
)
async def test_a_method_the_path_lacks_is_405_naming_every_method_it_has(
    method: str, path: str, allow: str
) -> None:
    """Starlette alone names only the methods of the first route on the path."""
    answer = await call(method, path)
    assert answer.status_code == 405
    assert answer.headers["allow"] == allow
    assert answer.json()["error"]["code"] == "method_not_allowed"


async def test_options_on_an_unknown_path_is_404() -> None:
    assert (await call("OPTIONS", "/nothing")).status_code == 404


async def test_reads_take_turns_and_health_and_writes_do_not_wait() -> None:
    """With one read in turn: of three slow GETs asked at once, at most one runs at a time;
    /health and a POST are answered while the reads still wait."""
    built = FastAPI()
    running, most, finished = 0, 0, []
    release = asyncio.Event()

    @built.get("/slow/{n}")
    async def slow(n: int) -> int:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await release.wait()
        running -= 1
        finished.append(n)
        return n

    @built.get("/health")
    async def health() -> str:
        return "ok"

    @built.post("/things")
    async def create() -> str:
        return "made"

    built.add_middleware(ReadsInTurn, limit=1)
    transport = httpx.ASGITransport(app=built)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        reads = [asyncio.create_task(client.get(f"/slow/{n}")) for n in range(3)]
        await asyncio.sleep(0.05)
        health = await client.get("/health")
        made = await client.post("/things")
        print(f"\nwhile reads waited: running {running}, /health {health.status_code}, "
              f"POST {made.status_code}")  # fmt: skip
        assert (running, health.status_code, made.status_code) == (1, 200, 200)
        release.set()
        answers = await asyncio.gather(*reads)
    print("reads at most at once:", most, "finished in order:", finished)
    assert [a.json() for a in answers] == [0, 1, 2]
    assert most == 1 and finished == [0, 1, 2]


@pytest.mark.parametrize("busy", [False, True])
async def test_reads_keep_to_their_share_while_the_service_is_busy(busy: bool) -> None:
    """Share 1/4: while busy, a read that held its turn 150 ms keeps it 450 ms more, its
    answer already sent, and /health is answered meanwhile; while idle the next read starts
    at once. Bounds by order and with wide margins: the suite runs on two busy cores."""
    built = FastAPI()
    loop = asyncio.get_running_loop()
    began: list[float] = []
    answered: list[float] = []

    @built.get("/slow/{n}")
    async def slow(n: int) -> int:
        began.append(loop.time())
        await asyncio.sleep(0.15)
        return n

    @built.get("/health")
    async def health() -> str:
        return "ok"

    built.add_middleware(ReadsInTurn, limit=1, share=0.25, busy=lambda: busy)
    transport = httpx.ASGITransport(app=built)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:

        async def read(n: int) -> int:
            answer = (await client.get(f"/slow/{n}")).json()
            answered.append(loop.time())
            return int(answer)

        reads = [asyncio.create_task(read(n)) for n in range(2)]
        await asyncio.sleep(0.3)  # the first read answered, its turn kept if busy
        health = await client.get("/health")
        health_at = loop.time()
        assert sorted(await asyncio.gather(*reads)) == [0, 1]
    waited = began[1] - began[0] - 0.15
    print(f"\nbusy {busy}: next read began {waited * 1000:.0f} ms after the first's 150 ms; "
          f"first answer {(answered[0] - began[0]) * 1000:.0f} ms after it began; "
          f"/health {health.status_code}, {(began[1] - health_at) * 1000:.0f} ms before "
          "the next read began")  # fmt: skip
    assert health.status_code == 200
    if busy:
        assert 0.43 <= waited < 2.0
        assert answered[0] < began[1] - 0.2  # the answer is not held back with the turn
        assert health_at < began[1]  # /health did not wait for the turn
    else:
        assert waited < 0.2


async def test_a_turn_is_kept_at_most_most_held(monkeypatch: pytest.MonkeyPatch) -> None:
    """Share 1/100: a read of 50 ms would keep its turn 4.95 s; the cap (here 0.15 s) wins."""
    monkeypatch.setattr(ReadsInTurn, "MOST_HELD", 0.15)
    built = FastAPI()
    loop = asyncio.get_running_loop()
    began: list[float] = []

    @built.get("/slow")
    async def slow() -> str:
        began.append(loop.time())
        await asyncio.sleep(0.05)
        return "ok"

    built.add_middleware(ReadsInTurn, limit=1, share=0.01, busy=lambda: True)
    transport = httpx.ASGITransport(app=built)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        await asyncio.gather(*(client.get("/slow") for _ in range(2)))
    waited = began[1] - began[0] - 0.05
    print(f"\nthe next read began {waited * 1000:.0f} ms after the first's 50 ms")
    assert 0.13 <= waited < 1.0


async def test_a_failing_busy_signal_gives_the_turn_back_at_once() -> None:
    built = FastAPI()

    @built.get("/read")
    async def read() -> str:
        return "ok"

    def failing() -> bool:
        raise RuntimeError("no signal")

    built.add_middleware(ReadsInTurn, limit=1, share=0.01, busy=failing)
    transport = httpx.ASGITransport(app=built)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answers = await asyncio.wait_for(
            asyncio.gather(*(client.get("/read") for _ in range(3))), timeout=5.0
        )
    assert [a.status_code for a in answers] == [200, 200, 200]


def test_a_share_outside_0_to_1_is_refused() -> None:
    with pytest.raises(ValueError, match="share must be over 0 and at most 1"):
        ReadsInTurn(FastAPI(), limit=1, share=0)
