"""Properties of the progress contract: every valid ProgressReported survives the wire (JSON
bytes, JSON document, monitoring's reader) unchanged; a breakdown that does not sum to
people_trained, or a negative count, is always refused."""

from __future__ import annotations

import json
from datetime import UTC, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from monitoring.core.adapters.report_codec import read, verify_signature
from monitoring.core.domain.commands import Unreadable
from monitoring.core.domain.model import Report, euros_to_cents
from pact_contracts import ProgressReported
from pact_contracts.progress import PROGRESS_REPORT
from pact_contracts.signing import new_key_pair, signed_message
from pact_contracts.vocabulary import COUNTRIES, Gender, SkillLevel

PROPERTIES = settings(max_examples=200, deadline=None, derandomize=True)
BREAKDOWNS = {
    "by_level": [level.value for level in SkillLevel],
    "by_country": sorted(COUNTRIES),
    "by_gender": [gender.value for gender in Gender],
}
COUNTS = ("people_trained", "people_reached", "programmes_developed")
PRIVATE, PUBLIC = new_key_pair()

ids = st.text(st.characters(codec="utf-8"), min_size=1, max_size=64)
periods = st.builds(
    lambda year, q, month, quarterly: f"{year}-Q{q}" if quarterly else f"{year}-{month:02d}",
    st.integers(1000, 9999),
    st.integers(1, 4),
    st.integers(1, 12),
    st.booleans(),
)
zones = st.sampled_from(
    [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))]
)


@st.composite
def breakdown(draw: st.DrawFn, keys: list[str], total: int) -> dict[str, int]:
    """`total` split over some of `keys` (an empty breakdown sums to 0)."""
    chosen = draw(st.lists(st.sampled_from(keys), min_size=1 if total else 0, unique=True))
    if not chosen:
        return {}
    cuts = sorted(
        draw(st.lists(st.integers(0, total), min_size=len(chosen) - 1, max_size=len(chosen) - 1))
    )
    bounds = [0, *cuts, total]
    return {key: bounds[i + 1] - bounds[i] for i, key in enumerate(chosen)}


@st.composite
def valid_reports(draw: st.DrawFn) -> ProgressReported:
    trained = draw(st.one_of(st.integers(0, 1000), st.integers(0, 1_000_000_000)))
    values: dict[str, Any] = {
        "partner_id": draw(ids),
        "commitment_id": draw(ids),
        "period": draw(periods),
        "revision": draw(st.integers(1, 1_000_000)),
        "people_trained": trained,
        "occurred_at": draw(st.datetimes(timezones=zones)),
        "producer": draw(st.none() | ids),
    }
    for name, keys in BREAKDOWNS.items():
        if draw(st.booleans()):
            values[name] = draw(breakdown(keys, trained))
    for name in ("people_reached", "programmes_developed"):
        values[name] = draw(st.none() | st.integers(0, 1_000_000_000))
    values["investment_eur"] = draw(
        st.none()
        | st.integers(0, 10**12)
        | st.floats(0, 1e12, allow_nan=False, allow_infinity=False)
    )
    return ProgressReported(**values)


def record(value: bytes, headers: list[tuple[str, bytes]] | None = None) -> Any:
    """As a partner sends it: keyed by the report's commitment_id (when it has one)."""
    try:
        named = json.loads(value).get("commitment_id")
    except (ValueError, AttributeError):
        named = None
    key = named.encode() if isinstance(named, str) else b"k"
    return SimpleNamespace(
        topic="partners.progress-reported.v1", partition=0, offset=7, key=key, value=value,
        headers=headers or [],
    )  # fmt: skip


@PROPERTIES
@given(valid_reports())
def test_a_valid_report_survives_every_wire_form(event: ProgressReported) -> None:
    assert PROGRESS_REPORT.validate_json(event.to_bytes()) == event
    assert PROGRESS_REPORT.validate_python(event.to_jsonable()) == event
    assert PROGRESS_REPORT.validate_python(json.loads(event.to_bytes())) == event
    assert PROGRESS_REPORT.validate_json(event.to_bytes()).to_bytes() == event.to_bytes()


@PROPERTIES
@given(valid_reports(), st.sampled_from([None, 0, 2, "\t"]))
def test_monitoring_reads_a_valid_report_whatever_its_layout(
    event: ProgressReported, indent: int | str | None
) -> None:
    compact = read(record(event.to_bytes()))
    laid_out = read(record(json.dumps(event.to_jsonable(), indent=indent).encode()))
    assert isinstance(compact, Report) and isinstance(laid_out, Report)
    assert compact.content_hash == laid_out.content_hash  # a redelivery is a redelivery
    assert compact.event_id == str(event.event_id)
    assert (compact.partner_id, compact.commitment_id, compact.period, compact.revision) == (
        event.partner_id,
        event.commitment_id,
        event.period,
        event.revision,
    )
    f = compact.figures
    assert f.people_trained == event.people_trained
    assert f.people_reached == (event.people_reached or 0)
    assert f.programmes_developed == (event.programmes_developed or 0)
    assert f.investment_cents == euros_to_cents(event.investment_eur)
    for name in BREAKDOWNS:
        given_breakdown = {
            str(getattr(k, "value", k)): v for k, v in (getattr(event, name) or {}).items()
        }
        assert dict(getattr(f, name)) == given_breakdown


@PROPERTIES
@given(valid_reports())
def test_a_signed_report_verifies_and_a_changed_one_does_not(event: ProgressReported) -> None:
    value, headers = signed_message(event, PRIVATE)
    signed = read(record(value, headers))
    assert isinstance(signed, Report) and verify_signature(signed, PUBLIC)
    revision = event.revision + 1 if event.revision < 1_000_000 else 1
    changed = json.loads(value) | {"revision": revision}
    altered = read(record(json.dumps(changed).encode(), headers))
    assert isinstance(altered, Report) and not verify_signature(altered, PUBLIC)


@st.composite
def broken_breakdowns(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """A valid report's fields with one breakdown that sums to something else."""
    event = draw(valid_reports())
    name = draw(st.sampled_from(sorted(BREAKDOWNS)))
    parts = draw(breakdown(BREAKDOWNS[name], draw(st.integers(0, 10_000))))
    total = sum(parts.values())
    off = draw(st.integers(-total, 10_000).filter(lambda d: d != 0))
    values = event.to_jsonable() | {name: parts, "people_trained": total + off}
    for other in set(BREAKDOWNS) - {name}:
        values.pop(other, None)
    return values, name


@PROPERTIES
@given(broken_breakdowns())
def test_a_breakdown_that_does_not_sum_is_always_refused(case: tuple[dict[str, Any], str]) -> None:
    values, name = case
    with pytest.raises(ValidationError, match=f"{name} must sum to people_trained"):
        PROGRESS_REPORT.validate_python(values)
    unread = read(record(json.dumps(values).encode()))
    assert isinstance(unread, Unreadable) and unread.reason.value == "invalid"
    assert name in unread.error


@PROPERTIES
@given(
    valid_reports(),
    st.sampled_from((*COUNTS, "investment_eur", "revision")),
    st.integers(-(10**12), -1),
)
def test_a_negative_count_is_always_refused(event: ProgressReported, name: str, value: int) -> None:
    values = event.to_jsonable() | {name: value}
    with pytest.raises(ValidationError):
        PROGRESS_REPORT.validate_python(values)
    unread = read(record(json.dumps(values).encode()))
    assert isinstance(unread, Unreadable) and unread.reason.value == "invalid"
