"""Reading messages safely: decode against a contract or dead-letter, and apply each
event once (processed event ids are stored in the same transaction as the effect)."""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, NoReturn, Protocol, TypeVar

import orjson
from pydantic import TypeAdapter, ValidationError
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from pact_contracts import MessageDeadLettered, dead_letter_topic

from .metrics import DEAD_LETTERED

T = TypeVar("T")
PROCESSED = "processed_events"


class Record(Protocol):
    """What we need of an aiokafka ConsumerRecord (read only: a record of our own, a
    benchmark's or a test's, with a key that is never None, is one too)."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...


@dataclass(frozen=True)
class Undecodable:
    reason: str  # malformed | too_large | invalid
    error: str


@dataclass(frozen=True)
class Decoded(Generic[T]):
    event: T
    raw: dict[str, Any]


def format_validation_error(exc: ValidationError) -> str:
    """`field.path: message` for every error, joined by '; '."""
    parts = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"]) or "(message)"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


class AmbiguousJSON(ValueError):
    """JSON that parsers read differently: a name twice in one object, a number that is not
    finite (NaN, Infinity: no JSON at all, though Python's json reads them) or beyond a
    double. Every reader must see the same message (I-JSON, RFC 7493), so it is refused."""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) == len(pairs):
        return document
    seen: set[str] = set()
    for name, _ in pairs:
        if name in seen:
            raise AmbiguousJSON(
                f"the name {json.dumps(name)} appears more than once in one object; which "
                "value counts would be a guess (each name once: RFC 8259 section 4, RFC 7493)"
            )
        seen.add(name)
    raise AssertionError("unreachable")


def _constant(name: str) -> NoReturn:
    raise AmbiguousJSON(f"{name} is not a JSON number (JSON numbers are finite: RFC 8259 6)")


def _float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise AmbiguousJSON(f"the number {text[:40]} is beyond the range of a double (RFC 7493)")
    return number


def loads(text: str | bytes) -> Any:
    """json.loads, refusing what JSON readers disagree on (AmbiguousJSON, a ValueError)."""
    return json.loads(text, object_pairs_hook=_object, parse_constant=_constant, parse_float=_float)


#: Bytes -> themselves, with every digit made "0" and "[" made "{" (one pass for two checks)
_SHAPE = bytes.maketrans(b"0123456789[", b"0000000000{")
#: an integer token of 19 digits or more may be beyond 64 bits, which orjson reads as a float
_LONG_NUMBER = b"0" * 19
#: at most so many objects and arrays: no nesting deep enough to exhaust the stack of json
_MAX_NESTED = 128
_NOT_PLAIN = object()


def _plain(value: bytes) -> Any:
    """orjson's reading of `value` when it is certainly the same as loads' (a dict of the
    same keys, values and types); else _NOT_PLAIN, and loads decides, whatever orjson said.

    orjson refuses what loads refuses for NaN, Infinity, numbers beyond a double, lone
    surrogates, control characters and a byte order mark (any refusal goes to loads, for
    its message). Where orjson would read it otherwise, loads is asked: integers that might
    not fit 64 bits (orjson makes them floats), deep nesting (loads' limit is the stack), and
    a name twice in one object (orjson keeps the last). A name twice is seen by counting:
    every ":" of the text is a member's or a string's, and orjson writes each member with
    one ":" and a string's ":" as is, so fewer when it dropped a member; unless a string
    spells ":" as an escape, which goes to loads."""
    shape = value.translate(_SHAPE)
    if _LONG_NUMBER in shape or shape.count(b"{") > _MAX_NESTED:
        return _NOT_PLAIN
    if b"\\u" in value and (b"\\u003a" in value or b"\\u003A" in value):
        return _NOT_PLAIN
    try:
        document = orjson.loads(value)
        if value.count(b":") != orjson.dumps(document).count(b":"):
            return _NOT_PLAIN
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return _NOT_PLAIN
    return document


def read_json(value: bytes) -> Any:
    """loads(value) for UTF-8 bytes, by orjson where it reads them the same (4 times faster)."""
    document = _plain(value)
    return loads(value.decode("utf-8")) if document is _NOT_PLAIN else document


def decode(
    adapter: TypeAdapter[T], value: bytes | None, max_bytes: int
) -> Decoded[T] | Undecodable:
    """Bytes -> a contract event, or why not (never raises: one message must not stop a
    consumer)."""
    if value is None:
        return Undecodable("malformed", "message has no value")
    if len(value) > max_bytes:
        return Undecodable("too_large", f"message is {len(value)} bytes; the limit is {max_bytes}")
    try:
        value.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Undecodable("malformed", f"message is not UTF-8: {exc}")
    try:
        raw = read_json(value)
    except AmbiguousJSON as exc:
        return Undecodable("malformed", f"message is not plain JSON: {exc}")
    except (ValueError, RecursionError) as exc:  # also nested too deep, or a number too long
        return Undecodable("malformed", f"message is not JSON: {exc}")
    if not isinstance(raw, dict):
        return Undecodable("malformed", f"message must be a JSON object, not {type(raw).__name__}")
    try:
        return Decoded(adapter.validate_python(raw), raw)
    except ValidationError as exc:
        return Undecodable("invalid", format_validation_error(exc))
    except ArithmeticError as exc:  # a validator's overflow (a date past year 9999): refused too
        return Undecodable("invalid", f"message cannot be validated: {type(exc).__name__}: {exc}")


class DeadLetterPublisher(Protocol):
    async def publish_raw(self, topic: str, key: bytes, value: bytes) -> None: ...


class DeadLetters:
    """Sends what a consumer could not read to the service's dead-letter topic."""

    def __init__(
        self, publisher: DeadLetterPublisher, service: str, topic_namespace: str = ""
    ) -> None:
        self._publisher = publisher
        self._service = service
        self._topic = f"{topic_namespace}{dead_letter_topic(service).name}"

    @property
    def topic(self) -> str:
        return self._topic

    async def send(self, record: Record, group: str, failure: Undecodable) -> MessageDeadLettered:
        event = MessageDeadLettered(
            producer=self._service,
            source_topic=record.topic,
            source_partition=record.partition,
            source_offset=record.offset,
            consumer_group=group,
            key=base64.b64encode(record.key).decode() if record.key is not None else None,
            payload_b64=base64.b64encode(record.value or b"").decode(),
            reason=failure.reason,
            error=failure.error[:8000],
        )
        await self._publisher.publish_raw(self._topic, record.topic.encode(), event.to_bytes())
        DEAD_LETTERED.labels(self._service, record.topic, failure.reason).inc()
        return event


class Inbox:
    """Processed event ids per consumer, written in the transaction that stores the effect."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]], consumer: str) -> None:
        self._coll = db[PROCESSED]
        self._consumer = consumer

    def _id(self, event_id: object) -> str:
        return f"{self._consumer}:{event_id}"

    async def new_ids(self, session: AsyncClientSession, event_ids: Iterable[object]) -> set[str]:
        """Which of these event ids this consumer has not applied yet."""
        wanted = {str(e) for e in event_ids}
        seen = await self._coll.find(
            {"_id": {"$in": [self._id(e) for e in wanted]}}, {"_id": 1}, session=session
        ).to_list()
        prefix = len(self._consumer) + 1
        return wanted - {d["_id"][prefix:] for d in seen}

    async def record(self, session: AsyncClientSession, event_ids: Iterable[object]) -> None:
        now = datetime.now(UTC)
        docs = [{"_id": self._id(e), "at": now} for e in event_ids]
        if docs:
            await self._coll.insert_many(docs, ordered=False, session=session)

    async def claim(self, session: AsyncClientSession, event_id: object) -> bool:
        """True (and recorded) if this event is new to this consumer; False if applied before."""
        if not await self.new_ids(session, [event_id]):
            return False
        await self.record(session, [event_id])
        return True
