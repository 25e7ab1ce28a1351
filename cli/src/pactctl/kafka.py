"""Sending progress reports as a partner system does: to `partners.progress-reported.v1`,
key = partner_id, value = the report's UTF-8 JSON; or by HTTP (POST /progress).

Partners that registered a signing key sign every report (Ed25519 over its canonical JSON,
in the `pact-signature` Kafka header, or the `Pact-Signature` HTTP header)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from pact_contracts import ProgressReported
from pact_contracts.signing import SIGNATURE_HEADER, sign, signed_message

from .api import ApiError, Platform


class SendError(Exception):
    """Kafka could not be reached or refused a report."""


class ReportProducer:
    """An aiokafka producer for progress reports. `send` hands a report to the producer's
    batch and returns the future of its acknowledgement. Reports of the partners in
    `signing_keys` (partner_id -> base64 Ed25519 private key) are signed."""

    def __init__(
        self,
        bootstrap: str,
        topic: str,
        *,
        signing_keys: Mapping[str, str] | None = None,
        linger_ms: int = 5,
    ) -> None:
        self.topic = topic
        self._keys = dict(signing_keys or {})
        self._producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap,
            acks="all",
            enable_idempotence=False,  # the platform's consumers are idempotent instead
            linger_ms=linger_ms,
            request_timeout_ms=15_000,
        )

    async def __aenter__(self) -> ReportProducer:
        try:
            await self._producer.start()
        except (KafkaError, OSError) as exc:
            await self._producer.stop()
            raise SendError(f"cannot reach Kafka: {exc}") from exc
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._producer.stop()

    async def send(self, report: ProgressReported) -> asyncio.Future[Any]:
        key = self._keys.get(report.partner_id)
        value, headers = signed_message(report, key) if key else (report.to_bytes(), None)
        try:
            future: asyncio.Future[Any] = await self._producer.send(
                self.topic, value, key=report.partner_id.encode(), headers=headers
            )
        except KafkaError as exc:
            raise SendError(f"Kafka refused report {report.event_id}: {exc}") from exc
        return future

    async def send_raw(self, value: bytes, key: bytes) -> None:
        """Bytes as they are: what a broken partner system might send."""
        try:
            await self._producer.send_and_wait(self.topic, value, key=key)
        except KafkaError as exc:
            raise SendError(f"Kafka refused a message: {exc}") from exc

    async def send_all(self, reports: Iterable[ProgressReported]) -> int:
        """Every report, then wait until Kafka has acknowledged each."""
        futures = [await self.send(r) for r in reports]
        try:
            await asyncio.gather(*futures)
        except KafkaError as exc:
            raise SendError(f"Kafka did not acknowledge every report: {exc}") from exc
        return len(futures)


async def send_to_kafka(
    bootstrap: str, topic: str, reports: list[ProgressReported], signing_key: str | None = None
) -> int:
    keys = {r.partner_id: signing_key for r in reports} if signing_key else None
    async with ReportProducer(bootstrap, topic, signing_keys=keys) as producer:
        return await producer.send_all(reports)


def send_over_http(
    platform: Platform, reports: list[ProgressReported], signing_key: str | None = None
) -> list[str]:
    """POST /progress on monitoring, one report at a time; the event_ids accepted. Stops at
    the first refusal, saying how many were sent before it."""
    accepted: list[str] = []
    for report in reports:
        document = report.to_jsonable()
        headers = {SIGNATURE_HEADER: sign(document, signing_key)} if signing_key else None
        try:
            platform.call("monitoring", "POST", "/progress", document, headers=headers)
        except ApiError as exc:
            raise ApiError(
                f"report for {report.commitment_id} {report.period} refused, "
                f"{len(accepted)} sent before it: {exc.message}",
                status=exc.status,
                code=exc.code,
                field=exc.field,
                problems=exc.problems,
            ) from exc
        accepted.append(str(report.event_id))
    return accepted


class StreamStats:
    """What a paced stream has done so far; updated as Kafka acknowledges."""

    def __init__(self) -> None:
        self.sent = 0
        self.acked = 0
        self.failed = 0
        self.elapsed = 0.0
        self.last_error: str | None = None

    @property
    def rate(self) -> float:
        return self.acked / self.elapsed if self.elapsed > 0 else 0.0

    def _done(self, future: asyncio.Future[Any]) -> None:
        if future.cancelled() or future.exception() is not None:
            self.failed += 1
            self.last_error = "cancelled" if future.cancelled() else str(future.exception())
        else:
            self.acked += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "acknowledged": self.acked,
            "failed": self.failed,
            "seconds": round(self.elapsed, 3),
            "reports_per_second": round(self.rate, 1),
        }


async def stream(
    producer: ReportProducer,
    reports: Iterable[ProgressReported],
    *,
    rate: float,
    count: int | None = None,
    duration: float | None = None,
    stats: StreamStats | None = None,
    on_tick: Any = None,
    tick: float = 0.05,
) -> StreamStats:
    """Send `reports` at a steady `rate` per second until `count` are sent or `duration`
    seconds pass (whichever first; neither: until cancelled), then wait for every
    acknowledgement. `on_tick(stats)` is called about every `tick` seconds."""
    stats = stats or StreamStats()
    loop = asyncio.get_running_loop()
    source = iter(reports)
    pending: list[asyncio.Future[Any]] = []
    start = loop.time()
    try:
        while True:
            stats.elapsed = loop.time() - start
            if duration is not None and stats.elapsed >= duration:
                break
            due = int(stats.elapsed * rate) + 1
            if count is not None:
                due = min(due, count)
            while stats.sent < due:
                future = await producer.send(next(source))
                future.add_done_callback(stats._done)
                pending.append(future)
                stats.sent += 1
            pending = [f for f in pending if not f.done()]
            if on_tick is not None:
                on_tick(stats)
            if count is not None and stats.sent >= count:
                break
            await asyncio.sleep(min(tick, max(0.0, (stats.sent / rate) - stats.elapsed)))
    finally:
        await asyncio.gather(*pending, return_exceptions=True)
        stats.elapsed = loop.time() - start
        if on_tick is not None:
            on_tick(stats)
    return stats
