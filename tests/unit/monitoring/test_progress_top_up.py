"""The progress consumer reads a batch while the one before is stored (pact_common.in_flight);
while that one is stored, the reports the consumer fetches meanwhile join the batch read
early, up to the batch's bound, so a report that came while a batch was stored does not wait
for the next batch to be stored too. Offsets are still committed only after the effect, and
when a batch fails, what joined the next one is read again with both."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiokafka import TopicPartition

from monitoring.config import Settings
from monitoring.core.domain.commands import TakeReports
from monitoring.core.domain.intake import Taken
from monitoring.core.entrypoints.progress_consumer import ProgressConsumer
from pact_contracts import ProgressReported

TOPIC = "partners.progress-reported.v1"
P0, P1 = TopicPartition(TOPIC, 0), TopicPartition(TOPIC, 1)
SETTINGS = Settings(environment="test")


@dataclass
class Rec:
    partition: int
    offset: int
    value: bytes
    key: bytes
    topic: str = TOPIC
    headers: tuple[tuple[str, bytes | None], ...] = ()


#: where each report was sent: "partition/offset", by event_id
WHERE: dict[str, str] = {}


def records(partition: int, offsets: range, partner: str = "p-acme") -> list[Rec]:
    out = []
    for offset in offsets:
        r = ProgressReported(
            partner_id=partner, commitment_id="c-1", period="2026-Q1", people_trained=offset
        )
        WHERE[str(r.event_id)] = f"{partition}/{offset}"
        out.append(Rec(partition, offset, r.to_bytes(), partner.encode()))
    return out


@dataclass
class FakeConsumer:
    """An AIOKafkaConsumer's part the consumer uses: what it fetched and not yet handed
    (`buffered`), commits and seeks recorded."""

    buffered: list[Rec] = field(default_factory=list)
    asked: list[int] = field(default_factory=list)
    commits: list[dict[TopicPartition, int]] = field(default_factory=list)
    seeks: list[dict[TopicPartition, int]] = field(default_factory=list)

    async def getmany(self, timeout_ms: int, max_records: int) -> dict[TopicPartition, list]:
        assert timeout_ms == 0  # only what it holds already
        self.asked.append(max_records)
        taken, self.buffered = self.buffered[:max_records], self.buffered[max_records:]
        out: dict[TopicPartition, list[Rec]] = {}
        for r in taken:
            out.setdefault(TopicPartition(r.topic, r.partition), []).append(r)
        return out

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.commits.append(dict(offsets))

    def seek(self, partition: TopicPartition, offset: int) -> None:
        self.seeks.append({partition: offset})


@dataclass
class Msg:
    raw_message: tuple[Rec, ...]
    consumer: FakeConsumer


class Broker:
    """Catches the handler the consumer subscribes."""

    handler: Callable[[Msg], Any]

    def subscriber(self, topic: str, **options: Any) -> Callable[[Any], Any]:
        def register(handler: Callable[[Msg], Any]) -> Any:
            self.handler = handler
            return handler

        return register


@dataclass
class Taker:
    """Stores nothing; records each batch's reports (where each was sent), and holds the
    first batch until released, or fails it."""

    release: asyncio.Event = field(default_factory=asyncio.Event)
    fail_first: bool = False
    taken: list[list[str]] = field(default_factory=list)
    signatures: list[str | None] = field(default_factory=list)

    async def __call__(self, cmd: TakeReports) -> Counter[Taken]:
        first = not self.taken
        self.taken.append([WHERE[r.event_id] for r in cmd.reports])
        self.signatures += [r.signature for r in cmd.reports]
        if first:
            await self.release.wait()
            if self.fail_first:
                raise ConnectionError("mongod unreachable past the retries")
        return Counter({Taken.APPLIED: len(cmd.reports)})


def consumer_of(taker: Taker, max_records: int = 2000) -> tuple[ProgressConsumer, Broker]:
    broker = Broker()
    progress = ProgressConsumer(
        name="progress", settings=SETTINGS, take=taker, max_records=max_records
    )
    progress.subscribe(broker, TOPIC, SETTINGS)  # type: ignore[arg-type]
    return progress, broker


async def test_what_came_while_a_batch_was_stored_joins_the_batch_read_meanwhile() -> None:
    taker = Taker()
    progress, broker = consumer_of(taker)
    consumer = FakeConsumer()
    await broker.handler(Msg(tuple(records(0, range(0, 3))), consumer))  # stored, held
    # read while the first is stored; then more come, on both partitions
    second = asyncio.create_task(broker.handler(Msg(tuple(records(0, range(3, 5))), consumer)))
    await asyncio.sleep(0.05)
    consumer.buffered = records(0, range(5, 8)) + records(1, range(0, 2))
    taker.release.set()
    await second
    await progress.drain()
    print("batches taken:", taker.taken, "commits:", consumer.commits)
    assert taker.taken == [
        ["0/0", "0/1", "0/2"],
        ["0/3", "0/4", "0/5", "0/6", "0/7", "1/0", "1/1"],
    ]
    assert consumer.commits == [{P0: 3}, {P0: 8, P1: 2}]
    assert consumer.buffered == [] and consumer.seeks == []


async def test_the_batch_stays_within_its_bound() -> None:
    taker = Taker()
    progress, broker = consumer_of(taker, max_records=4)
    consumer = FakeConsumer()
    await broker.handler(Msg(tuple(records(0, range(0, 1))), consumer))
    second = asyncio.create_task(broker.handler(Msg(tuple(records(0, range(1, 2))), consumer)))
    await asyncio.sleep(0.05)
    consumer.buffered = records(0, range(2, 9))
    taker.release.set()
    await second
    await progress.drain()
    print("batches taken:", taker.taken, "asked for at most:", consumer.asked)
    assert consumer.asked[-1] == 3  # the bound less the one read early
    assert taker.taken[1] == ["0/1", "0/2", "0/3", "0/4"]
    assert [r.offset for r in consumer.buffered] == [5, 6, 7, 8]  # left for the next fetch
    assert consumer.commits[-1] == {P0: 5}


async def test_after_a_batch_that_failed_what_joined_is_read_again_with_the_rest() -> None:
    taker = Taker(fail_first=True)
    progress, broker = consumer_of(taker)
    consumer = FakeConsumer()
    await broker.handler(Msg(tuple(records(0, range(0, 3))), consumer))
    second = asyncio.create_task(broker.handler(Msg(tuple(records(0, range(3, 5))), consumer)))
    await asyncio.sleep(0.05)
    consumer.buffered = records(0, range(5, 8)) + records(1, range(4, 6))  # joins the second
    await asyncio.sleep(0.05)
    taker.release.set()
    await second
    await progress.drain()
    where = {}
    for seek in consumer.seeks:
        where.update(seek)
    print("batches taken:", taker.taken, "read next from:", where, "asked:", consumer.asked)
    assert consumer.buffered == []  # taken to join the second batch
    assert taker.taken == [["0/0", "0/1", "0/2"]]  # the second was not stored
    # every record is read again: the failed batch's from its first, and the partition
    # only what joined the second had, from its first there
    assert where == {P0: 0, P1: 4}
    assert consumer.commits == []


async def test_what_joins_is_read_as_faststreams_parser_hands_records_on() -> None:
    """A null header value is read as empty (pact_common.kafka.utf8_headers): a report whose
    signature header is null is then refused as badly signed, not taken as unsigned."""
    taker = Taker()
    progress, broker = consumer_of(taker)
    consumer = FakeConsumer()
    await broker.handler(Msg(tuple(records(0, range(0, 1))), consumer))
    second = asyncio.create_task(broker.handler(Msg(tuple(records(0, range(1, 2))), consumer)))
    joining = records(0, range(2, 3))
    joining[0].headers = (("pact-signature", None),)
    consumer.buffered = joining
    taker.release.set()
    await second
    await progress.drain()
    print("batches taken:", taker.taken, "signatures:", taker.signatures)
    assert taker.taken[1] == ["0/1", "0/2"]
    assert taker.signatures == [None, None, ""]
