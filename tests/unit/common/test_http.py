"""What every service's HTTP side shares (pact_common.http): the methods a path allows."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from pact_common.http import install_common


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
