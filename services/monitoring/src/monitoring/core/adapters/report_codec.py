"""Progress reports as they come off the topic: contract -> domain Report, or Unreadable with
what could be read of it; their signatures; and sending HTTP reports to the topic."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from typing import Any

from faststream.kafka import KafkaBroker

from monitoring.core.domain.acceptance import Reason
from monitoring.core.domain.commands import SubmitReport, Unreadable
from monitoring.core.domain.model import Figures, Report, euros_to_cents
from monitoring.core.service_layer.unit_of_work import ReportPublisher
from pact_common.consuming import Decoded, Record, Undecodable, decode
from pact_contracts import MAX_REPORT_BYTES, PROGRESS_REPORTED, ProgressReported
from pact_contracts.signing import ALGORITHM_HEADER, SIGNATURE_HEADER, canonical_json, verify

#: event_ids of reports sent without one derive from their place on the topic (stable)
_POSITION_IDS = uuid.UUID("5b0f3c9e-6a41-4e2b-9d57-0c8e1f2a7b63")


def content_hash(document: dict[str, Any]) -> str:
    """Of the document as received (canonical JSON): a redelivery hashes the same."""
    return hashlib.sha256(canonical_json(document)).hexdigest()


def to_report(
    event: ProgressReported, raw: dict[str, Any], text: str, signature: str | None, source: str
) -> Report:
    event_id = str(event.event_id) if "event_id" in raw else str(uuid.uuid5(_POSITION_IDS, source))
    figures = Figures(
        people_trained=event.people_trained,
        people_reached=event.people_reached or 0,
        programmes_developed=event.programmes_developed or 0,
        investment_cents=euros_to_cents(event.investment_eur),
        by_level={k.value: v for k, v in (event.by_level or {}).items()},
        by_country={str(k): v for k, v in (event.by_country or {}).items()},
        by_gender={k.value: v for k, v in (event.by_gender or {}).items()},
    )
    return Report(
        event_id=event_id,
        partner_id=event.partner_id,
        commitment_id=event.commitment_id,
        period=event.period,
        revision=event.revision,
        figures=figures,
        occurred_at=event.occurred_at,
        content_hash=content_hash(raw),
        payload=text,
        signature=signature,
    )


def header(record: Record, name: str) -> str | None:
    for key, value in getattr(record, "headers", None) or ():
        if key == name and value is not None:
            return bytes(value).decode("utf-8", errors="replace")
    return None


def read(record: Record) -> Report | Unreadable:
    source = f"{record.topic}/{record.partition}/{record.offset}"
    try:
        decoded = decode(PROGRESS_REPORTED.adapter, record.value, MAX_REPORT_BYTES)
    except (ValueError, RecursionError) as exc:  # beyond json's limits: digits, nesting
        decoded = Undecodable("malformed", f"message cannot be parsed as JSON: {exc}")
    if isinstance(decoded, Decoded):
        text = (record.value or b"").decode("utf-8")
        return to_report(decoded.event, decoded.raw, text, header(record, SIGNATURE_HEADER), source)
    return unreadable(source, record.value or b"", decoded)


def unreadable(source: str, value: bytes, failure: Undecodable) -> Unreadable:
    kept = value[:MAX_REPORT_BYTES]
    try:
        payload, encoding = kept.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        payload, encoding = base64.b64encode(kept).decode(), "base64"
    message = failure.error
    if len(value) > MAX_REPORT_BYTES:
        message += f" (original_payload holds its first {MAX_REPORT_BYTES:,} bytes)"
    return Unreadable(source, Reason(failure.reason), message, payload, encoding, **_ids(kept))


def _ids(value: bytes) -> dict[str, str | None]:
    """What identifies the report, when it can be read at all (for its partner to find it)."""
    try:
        raw = json.loads(value)
    except (ValueError, RecursionError):
        return {}
    if not isinstance(raw, dict):
        return {}

    def text(name: str) -> str | None:
        found = raw.get(name)
        if not (isinstance(found, str) and 0 < len(found) <= 64):
            return None
        try:  # JSON escapes can spell lone surrogates, which no document can store
            found.encode("utf-8")
        except UnicodeEncodeError:
            return None
        return found

    return {
        "event_id": text("event_id"),
        "partner_id": text("partner_id"),
        "commitment_id": text("commitment_id"),
    }


def verify_signature(report: Report, public_key: str) -> bool:
    """The signature covers the canonical JSON of the report as received."""
    if report.signature is None:
        return False
    try:
        document = json.loads(report.payload)
    except ValueError:
        return False
    return isinstance(document, dict) and verify(document, report.signature, public_key)


class KafkaReportPublisher(ReportPublisher):
    """POST /progress: the report goes to the progress topic as it came, with its signature."""

    def __init__(self, broker: KafkaBroker, topic: str) -> None:
        self._broker = broker
        self._topic = topic

    async def publish(self, report: SubmitReport) -> None:
        headers = {"content-type": "application/json", "event_type": "ProgressReported"}
        if report.signature is not None:
            headers |= {SIGNATURE_HEADER: report.signature, ALGORITHM_HEADER: "ed25519"}
        await self._broker.publish(
            report.payload, self._topic, key=report.commitment_id.encode(), headers=headers
        )
