"""The adapters' pure parts: reading records, signatures, contract mapping, documents."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import pytest

import pact_contracts as c
from monitoring.core.adapters import alert_documents as ad
from monitoring.core.adapters import documents as d
from monitoring.core.adapters import inbound, waiting
from monitoring.core.adapters.publisher import to_contract
from monitoring.core.adapters.report_codec import read, verify_signature
from monitoring.core.domain.acceptance import Reason
from monitoring.core.domain.alerting import reconcile
from monitoring.core.domain.commands import Unreadable
from monitoring.core.domain.conditions import AlertConfig
from monitoring.core.domain.events import ReportRejected
from monitoring.core.domain.intake import ParkedReport
from monitoring.core.domain.model import Report
from monitoring.core.domain.progress import CommitmentProgress, TargetProgress
from monitoring.core.domain.rules import commitment_subject, evaluate_commitment
from pact_contracts.signing import new_key_pair, signed_message
from tests.support.examples import COMMITMENT, PARTNER, PROGRESS_WIRE_FORM

from .builders import NOW, commitment, partnership_target, report


@dataclass
class FakeRecord:
    value: bytes | None
    headers: list[tuple[str, bytes]] | None = None
    topic: str = "partners.progress-reported.v1"
    partition: int = 0
    offset: int = 7
    key: bytes | None = b"c-cloud-skills"


def test_a_record_becomes_a_report_with_cents_and_its_payload() -> None:
    value = json.dumps(PROGRESS_WIRE_FORM).encode()
    got = read(FakeRecord(value))
    assert isinstance(got, Report)
    assert (got.event_id, got.period, got.revision) == (
        PROGRESS_WIRE_FORM["event_id"],
        "2026-Q3",
        1,
    )
    assert got.figures.investment_cents == 15_000_000
    assert got.figures.by_level["advanced"] == 40 and got.figures.by_country == {"DE": 70, "FR": 50}
    assert got.payload == value.decode() and got.signature is None


def test_the_content_hash_ignores_layout_but_not_content() -> None:
    compact = read(FakeRecord(json.dumps(PROGRESS_WIRE_FORM).encode()))
    spaced = read(FakeRecord(json.dumps(PROGRESS_WIRE_FORM, indent=4).encode()))
    other = read(FakeRecord(json.dumps(PROGRESS_WIRE_FORM | {"people_reached": 1}).encode()))
    assert isinstance(compact, Report) and isinstance(spaced, Report) and isinstance(other, Report)
    assert compact.content_hash == spaced.content_hash != other.content_hash


def test_a_report_without_event_id_gets_one_from_its_place_on_the_topic() -> None:
    value = json.dumps({k: v for k, v in PROGRESS_WIRE_FORM.items() if k != "event_id"}).encode()
    first, again = read(FakeRecord(value)), read(FakeRecord(value))
    elsewhere = read(FakeRecord(value, offset=8))
    assert isinstance(first, Report) and isinstance(again, Report) and isinstance(elsewhere, Report)
    assert first.event_id == again.event_id != elsewhere.event_id


@pytest.mark.parametrize(
    ("value", "reason", "encoding"),
    [
        (b"not json {", Reason.MALFORMED, "utf-8"),
        (b"\xff\xfe\x00", Reason.MALFORMED, "base64"),
        (None, Reason.MALFORMED, "utf-8"),
        (b"[1, 2]", Reason.MALFORMED, "utf-8"),
        (json.dumps(PROGRESS_WIRE_FORM | {"period": "2026-Q5"}).encode(), Reason.INVALID, "utf-8"),
        (b'{"a": "' + b"x" * 70_000 + b'"}', Reason.TOO_LARGE, "utf-8"),
    ],
)
def test_unreadable_records_keep_their_payload_and_position(
    value: bytes | None, reason: Reason, encoding: str
) -> None:
    got = read(FakeRecord(value))
    assert isinstance(got, Unreadable)
    assert (got.reason, got.payload_encoding, got.source) == (
        reason,
        encoding,
        "partners.progress-reported.v1/0/7",
    )
    assert len(got.payload) <= 64 * 1024


def test_what_can_be_read_of_an_invalid_report_identifies_it() -> None:
    got = read(FakeRecord(json.dumps(PROGRESS_WIRE_FORM | {"people_trained": -1}).encode()))
    assert isinstance(got, Unreadable) and "people_trained" in got.error
    assert (got.partner_id, got.commitment_id) == ("p-acme", "c-cloud-skills")
    long_id = read(FakeRecord(json.dumps({"partner_id": "p" * 65}).encode()))
    assert isinstance(long_id, Unreadable) and long_id.partner_id is None


WIRE = json.dumps(PROGRESS_WIRE_FORM)


@pytest.mark.parametrize(
    ("value", "reason", "said"),
    [
        # a name twice: last-wins would let one reader see 120 and another 1000
        (WIRE[:-1] + ', "people_trained": 1000}', Reason.MALFORMED, '"people_trained" appears'),
        (WIRE.replace('"DE": 70', '"DE": 70, "DE": 70'), Reason.MALFORMED, '"DE" appears'),
        (WIRE[:-1] + ', "people\\u005ftrained": 120}', Reason.MALFORMED, "more than once"),
        # not JSON numbers (Python's json reads them), or beyond a double
        (WIRE.replace("150000.0", "-Infinity"), Reason.MALFORMED, "-Infinity is not a JSON"),
        (WIRE.replace("150000.0", "NaN"), Reason.MALFORMED, "NaN is not a JSON number"),
        (WIRE.replace("150000.0", "1e400"), Reason.MALFORMED, "1e400 is beyond"),
        # a count with an exponent is a float, not an integer; euros may be written so
        (
            WIRE.replace('"people_trained": 120', '"people_trained": 1.2e2'),
            Reason.INVALID,
            "integer",
        ),
        # a date that leaves the calendar once in UTC (it stopped the consumer: OverflowError)
        (
            WIRE.replace("2026-10-05T09:30:00Z", "9999-12-31T23:59:59-01:00"),
            Reason.INVALID,
            "occurred_at",
        ),
        # look-alikes are other characters: never normalised into a valid report
        (WIRE.replace('"people_trained"', '"p\u0435ople_trained"'), Reason.INVALID, "Extra"),
        (WIRE.replace('"2026-Q3"', '"\uff12\uff10\uff12\uff16-Q3"'), Reason.INVALID, "period"),
        (WIRE.replace("120,", "\uff11\uff12\uff10,", 1), Reason.MALFORMED, "not JSON"),
    ],
)
def test_what_readers_could_disagree_on_is_refused(value: str, reason: Reason, said: str) -> None:
    got = read(FakeRecord(value.encode()))
    assert isinstance(got, Unreadable), value
    assert got.reason is reason and said in got.error, got.error


def test_euros_with_an_exponent_and_far_future_dates_are_read() -> None:
    """Numbers are numbers: 1.5e5 euros is 150,000. occurred_at is the sender's word,
    which no decision depends on (monitoring judges by its own clock)."""
    value = WIRE.replace("150000.0", "1.5e5").replace("2026-10-05T09:30:00Z", "9999-12-31T23:59Z")
    got = read(FakeRecord(value.encode()))
    assert isinstance(got, Report) and got.figures.investment_cents == 15_000_000
    assert got.occurred_at.year == 9999


def test_a_name_given_twice_identifies_nothing() -> None:
    """The commitment named twice cannot say whose the rejection is: the key does (the
    handler gives it to the partner of the commitment or the partner it names)."""
    twice = WIRE[:-1] + ', "commitment_id": "c-other"}'
    got = read(FakeRecord(twice.encode(), key=b"c-keyed"))
    assert isinstance(got, Unreadable) and got.reason is Reason.MALFORMED
    assert (got.commitment_id, got.key, got.partner_id) == (None, "c-keyed", "p-acme")


def test_a_report_with_two_signatures_is_refused() -> None:
    private, _ = new_key_pair()
    value, headers = signed_message(c.ProgressReported.model_validate(PROGRESS_WIRE_FORM), private)
    for twice in (
        headers * 2,
        [*headers, ("pact-signature", b"junk")],
        [("pact-signature", None), *headers],
    ):
        got = read(FakeRecord(value, headers=twice))
        assert isinstance(got, Unreadable) and got.reason is Reason.BAD_SIGNATURE
        assert "2 pact-signature headers" in got.error
        assert got.event_id == PROGRESS_WIRE_FORM["event_id"]
    many = [(f"x-{i}", b"v") for i in range(5000)]
    got = read(FakeRecord(value, headers=[*many, *headers]))
    assert isinstance(got, Report) and got.signature is not None


def test_signatures_verify_against_the_report_as_received() -> None:
    private, public = new_key_pair()
    value, headers = signed_message(c.ProgressReported.model_validate(PROGRESS_WIRE_FORM), private)
    got = read(FakeRecord(value, headers=headers))
    assert isinstance(got, Report) and got.signature is not None
    assert verify_signature(got, public)
    assert not verify_signature(got, new_key_pair()[1])
    assert not verify_signature(replace(got, payload=got.payload.replace("120", "121")), public)
    assert not verify_signature(replace(got, signature=None), public)


def test_rejections_map_to_the_contract_cut_to_its_limits() -> None:
    rejected = ReportRejected(
        "r-1",
        Reason.INVALID,
        "m" * 5000,
        "period",
        NOW,
        "p" * 300_000,
        "utf-8",
        event_id="e" * 150,
        partner_id="p-acme",
        commitment_id="c-1",
    )
    event = to_contract(rejected)
    assert isinstance(event, c.ProgressRejected)
    assert event.reason_code is c.RejectionReason.INVALID
    assert (len(event.message), len(event.original_payload)) == (4000, 200_000)
    assert event.original_event_id == "e" * 100 and c.key_for(event) == b"c-1"


def test_alerts_map_to_the_contract() -> None:
    p = CommitmentProgress(commitment())
    conditions = evaluate_commitment(p, date(2027, 2, 1), AlertConfig())
    result = reconcile(commitment_subject(p.commitment), {}, conditions, NOW)
    events = [to_contract(e) for e in result.events]
    assert {type(e) for e in events} == {c.AlertFired}
    missed = next(e for e in events if isinstance(e, c.AlertFired) and e.rule == "MilestoneMissed")
    assert (missed.subject_type, missed.partner_id, missed.episode) == ("commitment", "p-acme", 1)
    assert c.key_for(missed) == b"c-cloud"


def test_a_definition_is_one_object_however_it_arrived() -> None:
    """The rules' caches are keyed by the definition: the one a head gives back is the very
    object its pledge made, so a lookup compares no milestones."""
    pledged = inbound.definition(COMMITMENT)
    again = CommitmentProgress(replace(commitment(), target=pledged))
    read = d.commitment_from(d.head_doc(again)).commitment.target
    assert read == pledged and read is pledged
    assert inbound.definition(COMMITMENT.model_copy(update={"target_value": 1})) is not pledged


def test_documents_round_trip() -> None:
    p = CommitmentProgress(commitment())
    p.apply(report("2025-Q1", 10, by_country={"DE": 10}, investment_cents=5), NOW)
    p.on_track, p.evaluated_on = True, date(2026, 5, 15)
    head, cells = d.commitment_doc(p)
    assert d.commitment_from(head, cells) == p
    assert d.commitment_from(head).marks == p.marks and not d.commitment_from(head).complete
    t = TargetProgress(partnership_target(), date(2026, 5, 15))
    assert d.target_from(d.target_doc(t)) == t
    parked = ParkedReport(replace(report(), signature="sig"), NOW, NOW + timedelta(days=1))
    assert waiting.parked_from(waiting.parked_doc(parked)) == parked
    result = reconcile(
        commitment_subject(p.commitment),
        {},
        evaluate_commitment(p, date(2027, 1, 2), AlertConfig()),
        NOW,
    )
    for alert in result.changed:
        assert ad.alert_from(ad.alert_doc(alert)) == alert


def test_contract_events_become_read_models() -> None:
    pledged = c.CommitmentPledged(commitment_id="c-1", commitment_version=3, commitment=COMMITMENT)
    got: Any = inbound.commitment(pledged)
    assert (got.id, got.version, got.cadence.value, got.levels) == (
        "c-1",
        3,
        "quarterly",
        ("advanced",),
    )
    assert got.target.milestones[0].value == 8000
    approved = c.PartnerApproved(partner_id="p-1", partner_version=2, partner=PARTNER)
    partner: Any = inbound.partner(approved)
    assert (partner.status, partner.partnerships, partner.signing_key) == (
        "active",
        ("digital-ecosystem",),
        None,
    )
