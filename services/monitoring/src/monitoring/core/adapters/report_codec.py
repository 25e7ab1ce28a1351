"""Progress reports as they come off the topic or over HTTP: contract -> domain Report, or
Unreadable with what could be read of it; and their signatures."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections import Counter
from functools import cache
from typing import Any

import orjson

from monitoring.core.adapters.learner_sketches import read_sketch
from monitoring.core.domain.acceptance import Reason
from monitoring.core.domain.commands import Unreadable
from monitoring.core.domain.figures import FIGURES, Figures, FigureSpec, Kind
from monitoring.core.domain.model import Report
from pact_common.consuming import Decoded, Record, Undecodable, decode
from pact_common.errors import DomainError
from pact_contracts import MAX_REPORT_BYTES, PROGRESS_REPORTED, ProgressReported
from pact_contracts.progress import FigureKind, report_figures
from pact_contracts.signing import SIGNATURE_HEADER, canonical_json, verify

#: event_ids of reports sent without one derive from their place on the topic (stable)
_POSITION_IDS = uuid.UUID("5b0f3c9e-6a41-4e2b-9d57-0c8e1f2a7b63")


def content_hash(document: dict[str, Any]) -> str:
    """Of the document as received (canonical JSON): a redelivery hashes the same."""
    return hashlib.sha256(canonical_bytes(document)).hexdigest()


def canonical_bytes(document: dict[str, Any]) -> bytes:
    """canonical_json(document), byte for byte (content hashes stored over it must match a
    redelivery's), for a document as JSON reads it (dicts, lists, str, int, finite floats,
    bool, None): written by orjson where it writes the same, else by canonical_json.
    orjson sorts keys alike (UTF-8 order is code point order), escapes strings alike and
    writes floats alike (the shortest text that reads back), except those below 1e-4 (it
    writes `0.00001` and `1e-7` where Python writes `1e-05` and `1e-07`); it refuses
    integers beyond 64 bits and lone surrogates, which go to canonical_json too (it raises
    on the surrogates, as it did)."""
    try:
        written = orjson.dumps(document, option=_AS_JSON_DOES)
    except orjson.JSONEncodeError:
        return canonical_json(document)
    # a float below 1e-4 is written "0.0000..." or "...e-..."; only then look for one
    if (b"e-" in written or b"0.0000" in written) and _tiny_float(document):
        return canonical_json(document)
    return written


#: sorted keys; what json would not write as JSON (subclasses of str and int, dataclasses,
#: datetimes) is refused, and so written by canonical_json
_AS_JSON_DOES = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
)


def _tiny_float(value: dict[str, Any] | list[Any]) -> bool:
    """Whether the document holds a float below 1e-4 other than 0."""
    for item in value.values() if isinstance(value, dict) else value:
        if isinstance(item, float):
            if -1e-4 < item < 1e-4 and item != 0:
                return True
        elif isinstance(item, dict | list) and _tiny_float(item):
            return True
    return False


class UndeclaredFigure(TypeError):
    """A figure of the contract monitoring does not declare: it would be dropped."""


_KINDS = {FigureKind.COUNT: Kind.COUNT, FigureKind.EUROS: Kind.MONEY}
_KINDS[FigureKind.BREAKDOWN] = Kind.BREAKDOWN


@cache
def declared(model: type[ProgressReported]) -> tuple[FigureSpec, ...]:
    """The declared figures (domain/figures.py), after checking that they are exactly the
    model's: a figure of the contract not declared (or declared as another kind) raises."""
    carried = {f.name: (_KINDS[f.kind], f.of) for f in report_figures(model)}
    declared = {s.reported_as: (s.kind, s.of) for s in FIGURES}
    if carried != declared:
        wrong = sorted(
            k for k in carried.keys() | declared.keys() if carried.get(k) != declared.get(k)
        )
        said = "; ".join(
            f"{k}: {carried.get(k)} in the contract, {declared.get(k)} declared" for k in wrong
        )
        raise UndeclaredFigure(
            f"figures of {model.__name__} not declared alike in "
            f"monitoring/core/domain/figures.py: {said}"
        )
    return FIGURES


def figures_of(event: object) -> Figures:
    """Every figure of the report (or of a model with the report's figure fields), in the
    units kept (euros -> cents, keys as text)."""
    values: dict[str, Any] = {}
    model = type(event) if isinstance(event, ProgressReported) else ProgressReported
    for name, reported_as, stored in _reading(model):
        given = getattr(event, reported_as)
        if stored is None:
            values[name] = {str(k): v for k, v in given.items()} if given else {}
        elif given is None:
            values[name] = 0
        else:
            values[name] = stored(given)
    return Figures(**values)


@cache
def _reading(model: type[ProgressReported]) -> tuple[tuple[str, str, Any], ...]:
    """(name, reported_as, how it is stored; None for a breakdown) of each declared figure."""
    return tuple(
        (s.name, s.reported_as, None if s.kind is Kind.BREAKDOWN else s.stored)
        for s in declared(model)
    )


declared(ProgressReported)  # at import: monitoring does not start on an undeclared figure


def to_report(
    event: ProgressReported,
    raw: dict[str, Any],
    text: str,
    signature: str | None,
    source: str,
    *,
    bound: bool = False,
) -> Report:
    event_id = str(event.event_id) if "event_id" in raw else str(uuid.uuid5(_POSITION_IDS, source))
    learners, learners_problem = read_sketch(event.learners_sketch)
    return Report(
        event_id=event_id,
        partner_id=event.partner_id,
        commitment_id=event.commitment_id,
        period=event.period,
        revision=event.revision,
        figures=figures_of(event),
        occurred_at=event.occurred_at,
        content_hash=content_hash(raw),
        payload=text,
        signature=signature,
        bound=bound,
        learners=learners,
        learners_problem=learners_problem,
    )


def headers(record: Record, name: str) -> list[bytes | None]:
    """Every value of the header `name`, in order (Kafka allows a name more than once)."""
    return [value for key, value in getattr(record, "headers", None) or () if key == name]


def header(record: Record, name: str) -> str | None:
    for value in headers(record, name):
        if value is not None:
            return bytes(value).decode("utf-8", errors="replace")
    return None


def read(record: Record) -> Report | Unreadable:
    source = f"{record.topic}/{record.partition}/{record.offset}"
    try:
        decoded = decode(PROGRESS_REPORTED.adapter, record.value, MAX_REPORT_BYTES)
    except (ValueError, RecursionError) as exc:  # beyond json's limits: digits, nesting
        decoded = Undecodable("malformed", f"message cannot be parsed as JSON: {exc}")
    if isinstance(decoded, Decoded) and (signatures := len(headers(record, SIGNATURE_HEADER))) > 1:
        decoded = Undecodable(
            Reason.BAD_SIGNATURE,
            f"the message carries {signatures} {SIGNATURE_HEADER} headers; a report carries "
            "at most one, so which signature counts would be a guess",
        )
    if isinstance(decoded, Decoded) and (mismatch := _key_mismatch(record, decoded.event)):
        decoded = Undecodable(Reason.KEY_MISMATCH, mismatch)
    if isinstance(decoded, Decoded):
        text = (record.value or b"").decode("utf-8")
        return to_report(decoded.event, decoded.raw, text, header(record, SIGNATURE_HEADER), source)
    return unreadable(source, record.value or b"", decoded, _key(record))


def _key_mismatch(record: Record, event: ProgressReported) -> str | None:
    """Reports are keyed by their partner_id: the key decides the partition, so a partner's
    reports are read by one instance, in order (its rows have one writer: lanes.py). The
    commitment_id, the key until 2026-12-06, is still taken: a report's effect does not
    depend on its partition, only how often instances conflict does."""
    key = getattr(record, "key", None)
    if key is not None and bytes(key) in (
        event.partner_id.encode("utf-8"),
        event.commitment_id.encode("utf-8"),
    ):
        return None
    said = "no key" if key is None else f"the key {bytes(key)[:80]!r}"
    return (
        f"the record has {said}, but its body's partner_id is {event.partner_id}: "
        "a progress report's Kafka key must be its partner_id"
    )


def _key(record: Record) -> str | None:
    """The record's key, when it can name a partner or a commitment (reports are keyed by
    partner_id, or commitment_id as before)."""
    key = getattr(record, "key", None)
    if not key or len(key) > 64:
        return None
    try:
        return bytes(key).decode("utf-8")
    except UnicodeDecodeError:
        return None


def unreadable(
    source: str, value: bytes, failure: Undecodable, key: str | None = None
) -> Unreadable:
    """What can be kept of a message that is not a report. Its partner finds it by the
    commitment it names, or else by the record's key (monitoring attributes it to the
    commitment's partner when it knows the commitment)."""
    kept = value[:MAX_REPORT_BYTES]
    try:
        payload, encoding = kept.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        payload, encoding = base64.b64encode(kept).decode(), "base64"
    message = failure.error
    if len(value) > MAX_REPORT_BYTES:
        message += f" (original_payload holds its first {MAX_REPORT_BYTES:,} bytes)"
    ids = _ids(kept)
    return Unreadable(source, Reason(failure.reason), message, payload, encoding, **ids, key=key)


def _ids(value: bytes) -> dict[str, str | None]:
    """What identifies the report, when it can be read at all (for its partner to find it);
    not a name given twice (which value is meant cannot be told)."""
    twice: set[str] = set()

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        document = dict(items)
        if len(document) < len(items):
            twice.update(n for n, count in Counter(n for n, _ in items).items() if count > 1)
        return document

    try:
        raw = json.loads(value, object_pairs_hook=pairs)
    except (ValueError, RecursionError):
        return {}
    if not isinstance(raw, dict):
        return {}

    def text(name: str) -> str | None:
        found = None if name in twice else raw.get(name)
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


def from_http(body: bytes, signature: str | None) -> Report:
    """A report posted over HTTP (validated already; with its event_id): taken like one off
    the topic, its content hash over the same canonical JSON. What the topic refuses but
    the HTTP layer's JSON reading lets through (a name twice, NaN) is refused here. Its
    sender is proven by the token (the route checked that it may report for the partner
    named), so it is `bound` and needs no signature."""
    decoded = decode(PROGRESS_REPORTED.adapter, body, MAX_REPORT_BYTES)
    if isinstance(decoded, Undecodable):
        raise DomainError(decoded.error, code=decoded.reason)
    source = f"http/{decoded.raw['event_id']}"
    text = body.decode("utf-8")
    return to_report(decoded.event, decoded.raw, text, signature, source, bound=True)
