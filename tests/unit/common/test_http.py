"""What every service's HTTP side shares (pact_common.http): the methods a path allows, and
dates and moments read only as the OpenAPI document spells them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, ValidationError

from pact_common.http import IsoDate, IsoDateTime, install_common


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


class Dated(BaseModel):
    day: IsoDate | None = None
    at: IsoDateTime | None = None


@pytest.mark.parametrize(
    ("given", "read"),
    [
        ({"day": "2026-02-28"}, date(2026, 2, 28)),
        ({"at": "2026-10-05T09:30:00Z"}, datetime(2026, 10, 5, 9, 30, tzinfo=UTC)),
        ({"at": "2026-10-05t11:30:00.5+02:00"}, datetime(2026, 10, 5, 9, 30, 0, 500000, UTC)),
    ],
)
def test_dates_and_moments_as_text(given: dict[str, Any], read: object) -> None:
    assert next(v for v in Dated.model_validate(given).model_dump().values() if v) == read


@pytest.mark.parametrize(
    ("given", "rule"),
    [
        ({"day": 0}, "date_text"),  # Pydantic alone: 1970-01-01
        ({"day": "0"}, "date_text"),  # a query's 0, likewise
        ({"day": "2026-01-01T00:00:00"}, "date_text"),  # a moment is not a date
        ({"day": "2026-02-30"}, "date_from_datetime_parsing"),
        ({"at": 0}, "datetime_text"),
        ({"at": 1700000000}, "datetime_text"),
        ({"at": "1700000000"}, "datetime_text"),
        ({"at": "2026-10-05T09:30:00"}, "datetime_text"),  # no offset
        ({"at": "2026-10-05 09:30:00Z"}, "datetime_text"),  # not RFC 3339
        ({"at": "9999-12-31T23:59:59-01:00"}, "datetime_text"),  # year 10000 in UTC
        ({"at": "0001-01-01T00:00:00+01:00"}, "datetime_text"),  # year 0 in UTC
    ],
)
def test_anything_else_is_refused_naming_the_rule(given: dict[str, Any], rule: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Dated.model_validate(given)
    assert [e["type"] for e in refused.value.errors()] == [rule]


def test_the_schema_says_text() -> None:
    properties = Dated.model_json_schema()["properties"]
    day, at = (properties[name]["anyOf"][0] for name in ("day", "at"))
    assert day == {"type": "string", "format": "date"}
    assert at["type"] == "string" and at["format"] == "date-time" and at["pattern"]
