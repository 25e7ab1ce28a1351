"""The hostile corpus's table: each item a message as it goes on the progress topic (value,
key, headers, codec) and what must become of it; and how the table is sent."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.structs import RecordMetadata

from pact_contracts import ProgressReported
from pact_contracts.signing import new_key_pair, signed_message
from tests.integration.monitoring.conftest import report
from tests.support.kafka import BOOTSTRAP

#: Outcomes that are not a rejection.
APPLIED, IGNORED, PARKED = "applied", "ignored", "parked"
UNREADABLE = {"malformed", "too_large", "invalid"}
Headers = Sequence[tuple[str, bytes | None]] | None

#: `visible_to` NOBODY: no partner of the test finds the rejection.
NOBODY = ""
BY_BODY = b"\x00the body's partner_id"


@dataclass
class Item:
    label: str
    value: bytes | None
    expected: str  # a RejectionReason code, or APPLIED / IGNORED / PARKED
    headers: Headers = None
    #: set for the reports that can be read: their rejections carry it
    event_id: str | None = None
    #: (commitment, period, revision, people_trained) of an applied report
    applies: tuple[str, str, int, int] | None = None
    #: the record's Kafka key (reports are keyed by partner_id; BY_BODY: the body's
    #: partner_id when it has one)
    key: bytes | None = BY_BODY
    #: sent in a batch compressed with this codec, with the next items of the same `batch`
    codec: str | None = None
    batch: int | None = None
    #: refused before it is taken as a report: its rejection is known by its topic position
    positional: bool = False
    #: the partner that finds the rejection at GET /progress/rejections (and no other)
    visible_to: str | None = None

    @property
    def by_position(self) -> bool:
        return self.positional or self.expected in UNREADABLE


def record_key(item: Item) -> bytes | None:
    """The Kafka key the item is sent with."""
    if item.key is not BY_BODY:
        return item.key
    try:
        named = json.loads(item.value or b"").get("partner_id")
    except (ValueError, AttributeError, RecursionError):
        return b"corpus"
    return named.encode("utf-8", "surrogatepass") if isinstance(named, str) else b"corpus"


def jsonable(period: str = "2026-Q1", people: int = 10, **kw: Any) -> dict[str, Any]:
    return report(period, people, **kw).to_jsonable()


def enc(document: Any) -> bytes:
    return json.dumps(document).encode()


class Corpus:
    """The table: (label, message, expected outcome), in the order sent."""

    def __init__(self, signing_key: str) -> None:
        self.items: list[Item] = []
        self.key = signing_key
        self.other_key, _ = new_key_pair()

    def raw(
        self, label: str, value: bytes | None, expected: str, headers: Headers = None, **kw: Any
    ) -> Item:
        event_id = None
        if expected not in UNREADABLE:
            event_id = json.loads(value or b"{}").get("event_id")
        item = Item(label, value, expected, headers, event_id, **kw)
        self.items.append(item)
        return item

    def text(
        self, label: str, document: dict[str, Any], old: str, new: str, expected: str, **kw: Any
    ) -> None:
        """The document's JSON with `old` written as `new` (what json.dumps would not write);
        p-acme's to see."""
        text = json.dumps(document, ensure_ascii=False)
        assert old in text, (old, text)
        kw.setdefault("visible_to", "p-acme")
        self.raw(label, text.replace(old, new, 1).encode(), expected, **kw)

    def doc(self, label: str, document: dict[str, Any], expected: str, **kw: Any) -> None:
        self.raw(label, enc(document), expected, **kw)

    def bad(self, label: str, **changes: Any) -> None:
        """A report of p-acme on c-cloud, with `changes` (None deletes the field): invalid."""
        document = jsonable("2025-Q1", 10)
        for name, value in changes.items():
            if value is None:
                document.pop(name)
            else:
                document[name] = value
        self.doc(label, document, "invalid")

    def applied(
        self, label: str, event: ProgressReported, value: bytes | None = None, **kw: Any
    ) -> Item:
        value = value if value is not None else event.to_bytes()
        item = Item(
            label,
            value,
            APPLIED,
            event_id=str(event.event_id),
            applies=(event.commitment_id, event.period, event.revision, event.people_trained),
            **kw,
        )
        self.items.append(item)
        return item

    def signed(self, event: ProgressReported, private: str | None = None) -> tuple[bytes, Headers]:
        return signed_message(event, private or self.key)


def batches(items: list[Item]) -> list[list[Item]]:
    """The items in the order sent: one at a time, but those of one `batch` together."""
    groups: list[list[Item]] = []
    for item in items:
        if groups and item.batch is not None and groups[-1][-1].batch == item.batch:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


class Senders:
    """Sends bytes as they are, a producer per codec (None: uncompressed); the items of one
    group go in one batch (a linger and a batch size that hold them), each group acknowledged
    before the next is sent, so the topic keeps the corpus's order."""

    def __init__(self) -> None:
        self.producers: dict[str | None, AIOKafkaProducer] = {}

    async def __aenter__(self) -> Senders:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for producer in self.producers.values():
            await producer.stop()

    async def send(self, topic: str, group: list[Item]) -> list[RecordMetadata]:
        codec = group[0].codec
        producer = self.producers.get(codec)
        if producer is None:
            producer = AIOKafkaProducer(
                bootstrap_servers=BOOTSTRAP,
                enable_idempotence=False,
                compression_type=codec,
                max_request_size=16 * 1024 * 1024,
                max_batch_size=16 * 1024 * 1024,
                linger_ms=50 if codec else 0,
            )
            await producer.start()
            self.producers[codec] = producer
        futures = [
            await producer.send(
                topic, i.value, key=record_key(i), headers=list(i.headers or ()) or None
            )
            for i in group
        ]
        return [await f for f in futures]
