"""Listings paged by cursor: a page ends with `next`, the position of its last item, and
the next page is asked with `after=<next>`; Mongo reads on from that position with the
listing's index, however far into the listing it is (an offset skips every item before
it, one by one). A listing is in order of a moment, then `_id` (pledge, registration),
so a position is that moment and that id: `<microseconds since 1970>:<id>`, the shape of
monitoring's rejection cursor. Every text of that shape is a position, so its pattern is
all there is to check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import Query
from pymongo import ASCENDING

CURSOR_PATTERN = r"^[0-9]{1,16}:"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

#: A position in a listing: the moment of its order's first field, and the item's `_id`.
Position = tuple[datetime, str]

#: The `after` query parameter of a listing paged by cursor.
After = Annotated[
    str | None,
    Query(
        pattern=CURSOR_PATTERN,
        max_length=300,
        description="`next` of the previous page: the items after it (`offset` counts on "
        "from there).",
    ),
]


def cursor(doc: dict[str, Any], order: list[tuple[str, int]]) -> str:
    """The position of `doc` in a listing in `order` (a moment, then `_id`), as text."""
    (field, _), _ = order
    at: datetime = doc[field]
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return f"{(at - _EPOCH) // _MICROSECOND}:{doc['_id']}"


def parse_cursor(text: str) -> Position:
    micros, _, item_id = text.partition(":")
    return _EPOCH + int(micros) * _MICROSECOND, item_id


def after(position: Position, order: list[tuple[str, int]]) -> dict[str, Any]:
    """The Mongo condition for the items after `position` in `order` (a moment, then
    `_id`, both the same direction)."""
    (field, direction), (last, _) = order
    if last != "_id":
        raise ValueError(f"a listing paged by cursor ends in _id, not {last}")
    beyond = "$gt" if direction == ASCENDING else "$lt"
    at, item_id = position
    return {"$or": [{field: {beyond: at}}, {field: at, "_id": {beyond: item_id}}]}
