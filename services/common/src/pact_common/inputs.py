"""Input types whose OpenAPI schema says exactly what they accept: dates, moments and
UUIDs as text in the one spelling their `format` gives (Pydantic alone reads more), and lists
of values each given once (`uniqueItems`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, TypeVar
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field
from pydantic_core import PydanticCustomError

T = TypeVar("T")


def _distinct(values: list[T]) -> list[T]:
    if len(set(values)) != len(values):
        raise PydanticCustomError("duplicate", "Items should be unique: a value is listed twice")
    return values


#: A list of values each given once, as its schema's `uniqueItems` says.
Distinct = Annotated[
    list[T], AfterValidator(_distinct), Field(json_schema_extra={"uniqueItems": True})
]

_FULL_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
#: RFC 3339 `date-time`, in years 2 to 9998, so that every offset stays in years 1 to 9999
#: once converted to UTC (what Python's datetime can hold).
DATE_TIME_PATTERN = (
    r"^(000[2-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9])"
    r"-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)


def _text(pattern: str, rule: str, said: str) -> Callable[[Any], Any]:
    """Only text of `pattern` goes on to the date (time) parser: Pydantic alone would also
    read 0 or "0" as the epoch, and "2026-01-01T00:00:00Z" as a date."""
    matches = re.compile(pattern).fullmatch

    def check(value: Any) -> Any:
        if isinstance(value, str) and matches(value):
            return value
        raise PydanticCustomError(rule, "Input should be {said}, as text", {"said": said})

    return check


#: A date in a query or a body, as the OpenAPI document says it: text, `YYYY-MM-DD`.
IsoDate = Annotated[date, BeforeValidator(_text(_FULL_DATE, "date_text", "a date YYYY-MM-DD"))]
#: A UUID in a body, as its schema's `format: uuid` spells it: 8-4-4-4-12 hex digits (not the
#: 32 digits alone, in braces or as a URN, which Pydantic alone also reads).
UuidText = Annotated[
    UUID,
    BeforeValidator(
        _text(
            r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}",
            "uuid_text",
            "a UUID of 8-4-4-4-12 hex digits",
        )
    ),
]
#: A moment in a body: text, RFC 3339 with its offset (`2026-10-05T09:30:00Z`).
IsoDateTime = Annotated[
    AwareDatetime,
    BeforeValidator(_text(DATE_TIME_PATTERN, "datetime_text", "an RFC 3339 date-time with offset")),
    Field(json_schema_extra={"pattern": DATE_TIME_PATTERN}),
]
