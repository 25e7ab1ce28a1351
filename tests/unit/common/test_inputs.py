"""Input types (pact_common.inputs): dates and moments read only as the OpenAPI document
spells them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from pact_common.inputs import IsoDate, IsoDateTime


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
