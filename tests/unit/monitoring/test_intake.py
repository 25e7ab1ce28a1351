"""Taking in a batch of reports: exactly-once effect, corrections, parking, rejections."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from monitoring.core.domain.acceptance import Awaited, Reason, Receipt
from monitoring.core.domain.intake import Intake, ParkedReport, Taken, expired
from monitoring.core.domain.progress import CommitmentProgress

from .builders import NOW, commitment, partner, report


def intake(**changes: object) -> Intake:
    values: dict[str, object] = {
        "partners": {"p-acme": partner()},
        "progress": {"c-cloud": CommitmentProgress(commitment())},
        "now": NOW,
    }
    return Intake(**(values | changes))  # type: ignore[arg-type]


def test_apply_replace_and_stale_revision() -> None:
    i = intake()
    assert i.take(report("2026-Q1", 100)) is Taken.APPLIED
    assert i.take(report("2026-Q1", 120, revision=3)) is Taken.REPLACED
    assert i.take(report("2026-Q1", 999, revision=2)) is Taken.REJECTED
    assert i.take(report("2026-Q1", 999, revision=3)) is Taken.REJECTED
    assert i.progress["c-cloud"].achieved == 120
    assert [r.reason for r in i.rejected] == [Reason.STALE_REVISION] * 2
    assert i.rejected[0].message.startswith("revision 2 of period 2026-Q1 is not above revision 3")
    assert i.rejected[0].field == "revision"
    assert i.progress["c-cloud"].stale_reports == 2
    assert i.touched == {"c-cloud"}
    assert i.counts == Counter({Taken.APPLIED: 1, Taken.REPLACED: 1, Taken.REJECTED: 2})


def test_the_same_report_twice_in_a_batch_is_taken_once() -> None:
    i = intake()
    r = report(event_id="e-1")
    assert [i.take(r), i.take(r)] == [Taken.APPLIED, Taken.DUPLICATE]
    assert i.progress["c-cloud"].achieved == 100
    assert [x.event_id for x in i.new_receipts] == ["e-1"]


def test_a_report_taken_in_an_earlier_batch_is_a_duplicate() -> None:
    r = report(event_id="e-1")
    i = intake(receipts={"e-1": Receipt("e-1", r.content_hash)})
    assert i.take(r) is Taken.DUPLICATE
    assert i.new_receipts == [] and i.changed_receipts == [] and i.rejected == []


def test_an_event_id_reused_with_other_content_is_rejected_once() -> None:
    first = report(event_id="e-1")
    i = intake(receipts={"e-1": Receipt("e-1", first.content_hash)})
    other = report(people_trained=5, event_id="e-1")
    assert [i.take(other), i.take(other)] == [Taken.REJECTED, Taken.DUPLICATE]
    assert [r.reason for r in i.rejected] == [Reason.EVENT_ID_REUSED]
    assert i.changed_receipts == [Receipt("e-1", first.content_hash, (other.content_hash,))]
    assert i.progress["c-cloud"].achieved == 0


def test_reuse_within_one_batch() -> None:
    i = intake()
    i.take(report(event_id="e-1"))
    assert i.take(report(people_trained=7, event_id="e-1")) is Taken.REJECTED
    assert len(i.new_receipts) == 1 and i.new_receipts[0].reused_hashes
    assert i.changed_receipts == []


def test_every_refusal_is_a_rejection_with_the_report_and_where_it_came_from() -> None:
    i = intake()
    r = report("2030-Q1")
    assert i.take(r) is Taken.REJECTED
    rejected = i.rejected[0]
    assert rejected.reason is Reason.REPORTED_AFTER_DEADLINE
    assert (rejected.event_id, rejected.partner_id, rejected.commitment_id, rejected.period) == (
        r.event_id,
        "p-acme",
        "c-cloud",
        "2030-Q1",
    )
    assert rejected.payload == r.payload and rejected.rejected_at == NOW
    assert rejected.rejection_id == f"{r.event_id}/{r.content_hash[:16]}"
    assert i.touched == set()


def test_reports_for_unknown_commitments_are_parked_up_to_a_limit_per_partner() -> None:
    i = intake(
        progress={}, park_limit=2, parked_counts=Counter({"p-acme": 1}), park_for=timedelta(hours=6)
    )
    first = report(commitment_id="c-later")
    assert i.take(first) is Taken.PARKED
    assert i.parked == [ParkedReport(first, NOW, NOW + timedelta(hours=6))]
    assert i.take(report(commitment_id="c-later")) is Taken.REJECTED
    assert i.rejected[0].reason is Reason.UNKNOWN_COMMITMENT


def test_a_parked_report_that_waited_too_long_expires() -> None:
    r = report(commitment_id="c-later")
    rejected = expired(ParkedReport(r, NOW, NOW + timedelta(days=7)), NOW + timedelta(days=8))
    assert rejected.reason is Reason.PARKED_EXPIRED and rejected.field == "commitment_id"
    assert "c-later did not become known within 7 days" in rejected.message


def test_a_report_that_waited_for_its_partner_expires_saying_so() -> None:
    waiting = ParkedReport(
        report(partner_id="p-new"), NOW, NOW + timedelta(hours=2), Awaited.PARTNER
    )
    rejected = expired(waiting, NOW + timedelta(hours=3))
    assert "partner p-new did not become known within 2 hours" in rejected.message
    assert rejected.field == "partner_id"


def test_a_report_that_must_wait_longer_keeps_its_expiry() -> None:
    i = intake(partners={})
    first = ParkedReport(report(), NOW, NOW + timedelta(hours=1), Awaited.PARTNER)
    assert i.decide(first.report, first) is Taken.PARKED
    assert i.parked == [first]


def test_a_released_parked_report_goes_through_every_rule() -> None:
    i = intake()
    r = report("2026-Q1")
    assert i.decide(r) is Taken.APPLIED  # no receipt check: it was taken when it was parked
    assert i.new_receipts == []
