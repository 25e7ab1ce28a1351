"""The cheaper reading of progress reports (issue 12) changes no verdict and no hash: the
content hash is over the same canonical bytes as before, for any document JSON can carry
(so a redelivery still matches its stored receipt), and every message of the hostile corpus
is read into the same report, or refused for the same reason with the same message, as by
json with its hooks and canonical_json."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.core.adapters import report_codec
from monitoring.core.adapters.report_codec import canonical_bytes, content_hash, read
from monitoring.core.domain.figures import Figures
from monitoring.core.domain.model import Report
from pact_common import consuming
from pact_contracts import ProgressReported
from pact_contracts.signing import canonical_json, new_key_pair
from pactctl.simulation import ProgressSimulator, SimulatedCommitment
from tests.faults.corpus import record_key
from tests.faults.test_hostile_corpus import build_corpus

PROPERTIES = settings(max_examples=500, deadline=None, derandomize=True)


def written(write: Any, document: Any) -> tuple[str, Any]:
    try:
        return "ok", write(document)
    except (ValueError, TypeError) as exc:  # a lone surrogate: canonical_json cannot encode it
        return "refused", type(exc).__name__


FLOATS = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(
    [1e2, 1e16, 1e-4, 9.99e-5, 1e-5, 1e-7, 1e-10, 5e-324, -0.0, 0.0, 1e22, 123456.789]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | FLOATS
    | st.text()
    | st.text(st.characters(codec="utf-8") | st.sampled_from(["\x00", "\x7f", "\u2028", '"']))
)
DOCUMENTS = st.dictionaries(
    st.text(),
    st.recursive(
        SCALARS,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=25,
    ),
    max_size=8,
)
BREAKDOWN = st.dictionaries(
    st.sampled_from(["DE", "FR", "RO", "basic", "expert", "female", "é", "日本"]),
    st.integers(min_value=0, max_value=10**9),
)


TODAY = date(2026, 12, 4)
COMMITMENT = SimulatedCommitment(
    "c-1", "p-1", ("DE", "FR"), ("basic",), date(2025, 1, 1), date(2027, 12, 31), 1e4
)
#: a report as the benchmark sends them
SAMPLE = ProgressSimulator([COMMITMENT], seed=3, today=TODAY).take(1)[0].to_bytes()


@st.composite
def reports(draw: st.DrawFn) -> dict[str, Any]:
    """A report's document as partners send it, its figures and breakdowns drawn."""
    document: dict[str, Any] = json.loads(SAMPLE)
    for name in ("people_trained", "people_reached", "new_entrants"):
        document[name] = draw(st.integers(min_value=0, max_value=10**9) | FLOATS)
    document["investment_eur"] = draw(FLOATS | st.integers(min_value=0, max_value=10**12))
    for name in ("by_level", "by_country", "by_gender", "new_entrants_by_country"):
        document[name] = draw(BREAKDOWN | st.none())
    document["producer"] = draw(st.text())
    return document


@PROPERTIES
@given(DOCUMENTS)
def test_canonical_bytes_are_canonical_json(document: dict[str, Any]) -> None:
    assert written(canonical_bytes, document) == written(canonical_json, document)


@PROPERTIES
@given(reports())
def test_a_reports_hash_is_the_one_stored_before(document: dict[str, Any]) -> None:
    assert written(canonical_bytes, document) == written(canonical_json, document)
    if written(canonical_json, document)[0] == "ok":
        before = hashlib.sha256(canonical_json(document)).hexdigest()
        assert content_hash(document) == before


@dataclass
class Record:
    value: bytes | None
    key: bytes | None
    offset: int
    headers: list[tuple[str, bytes | None]] = field(default_factory=list)
    topic: str = "partners.progress-reported.v1"
    partition: int = 0


def figures_before(event: object) -> Figures:
    """report_codec.figures_of as it was."""
    values: dict[str, Any] = {}
    for spec in report_codec.declared(ProgressReported):
        given = getattr(event, spec.reported_as)
        if spec.kind.name == "BREAKDOWN":
            values[spec.name] = {str(k): v for k, v in (given or {}).items()}
        else:
            values[spec.name] = spec.stored(given)
    return Figures(**values)


def read_before(record: Record) -> Any:
    """read() with json and its hooks, figures read as before and the hash over
    canonical_json: the reading before orjson."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(consuming, "_plain", lambda value: consuming._NOT_PLAIN)
        patch.setattr(report_codec, "canonical_bytes", canonical_json)
        patch.setattr(report_codec, "figures_of", figures_before)
        return read(record)


def corpus_records() -> Iterator[Record]:
    """The hostile corpus's messages with the keys and headers they are sent with."""
    private, _ = new_key_pair()
    for n, item in enumerate(build_corpus(private).items):
        yield Record(item.value, record_key(item), n, list(item.headers or ()))


def test_the_hostile_corpus_is_read_as_before() -> None:
    records = list(corpus_records())
    assert len(records) >= 150
    seen: set[str] = set()
    for record in records:
        now, before = read(record), read_before(record)
        assert now == before, (record.value or b"")[:120]
        seen.add(type(now).__name__ if isinstance(now, Report) else now.reason)
    assert {"Report", "malformed", "invalid", "too_large", "key_mismatch"} <= seen


def test_simulated_reports_take_the_fast_paths() -> None:
    """What the benchmark sends is read by orjson and hashed over orjson's writing (as fast
    as measured), with the same hash and report as before."""
    for n, event in enumerate(ProgressSimulator([COMMITMENT], seed=5, today=TODAY).take(50)):
        value = event.to_bytes()
        document = consuming._plain(value)
        assert document == json.loads(value)
        assert canonical_bytes(document) == canonical_json(document)
        record = Record(value, b"c-1", n)
        assert read(record) == read_before(record)
