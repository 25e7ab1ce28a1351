"""The pure parts of the adapters: stored documents and the contract mapping."""

from __future__ import annotations

from commitments.adapters.publisher import to_contract
from commitments.adapters.repository import commitment_from_doc, commitment_to_doc, history_doc
from commitments.domain import commands
from commitments.domain.model import Commitment, PartnershipTarget
from commitments.domain.partners import PartnershipView, PartnerStatus
from commitments.domain.values import Amendment, Cause
from pact_contracts import COMMITMENT_EVENTS, key_for, topic_for
from tests.unit.commitments.fakes import ACTIVE_PARTNER, NOW, PARTNER, SECRETARIAT, pledge_fields


def a_commitment_through_its_life() -> Commitment:
    cmd = commands.PledgeCommitment(**pledge_fields())
    commitment = Commitment.pledge(
        "c-1", cmd.terms(), partner=ACTIVE_PARTNER, actor=PARTNER, at=NOW
    )
    commitment.amend(Amendment("Scope extended", target_value=7000), actor=PARTNER, at=NOW)
    cause = Cause("e-9", NOW, "secretariat", "Charter breach")
    commitment.follow_partner(PartnerStatus.SUSPENDED, cause)
    commitment.follow_partner(PartnerStatus.ACTIVE, cause)
    commitment.mark_missed(cause)
    commitment.mark_achieved(cause)
    return commitment


def test_a_stored_commitment_reads_back_equal() -> None:
    commitment = a_commitment_through_its_life()
    assert commitment_from_doc(commitment_to_doc(commitment)) == commitment


def test_every_domain_event_maps_to_a_valid_contract_event() -> None:
    commitment = a_commitment_through_its_life()
    contract = [to_contract(e, correlation_id="req-1") for e in commitment.events]
    assert [c.event_type for c in contract] == [
        "CommitmentPledged",
        "CommitmentAmended",
        "CommitmentSuspended",
        "CommitmentResumed",
        "CommitmentMissed",
        "CommitmentAchieved",
    ]
    for event, domain in zip(contract, commitment.events, strict=True):
        wire = COMMITMENT_EVENTS.adapter.validate_json(event.to_bytes())
        assert wire == event
        assert topic_for(event) is COMMITMENT_EVENTS and key_for(event) == b"c-1"
        assert wire.commitment_version == domain.version
        assert wire.commitment.status == domain.status.value
        assert wire.occurred_at == NOW and wire.correlation_id == "req-1"
    assert contract[1].changed_fields == ["target_value"]
    assert contract[1].commitment.target_value == 7000
    assert contract[0].commitment.target_value == 5000
    assert contract[2].causation_id == "e-9" and contract[2].reason == "Charter breach"
    assert contract[0].commitment.milestones[1].value == 2500


def test_history_entries_keep_each_version_whole() -> None:
    commitment = a_commitment_through_its_life()
    docs = [history_doc(e) for e in commitment.events]
    assert [d["_id"] for d in docs] == [f"c-1:{v}" for v in range(1, 7)]
    assert [d["commitment"]["target_value"] for d in docs[:2]] == [5000, 7000]
    assert docs[1]["changed_fields"] == ["target_value"]
    assert docs[2]["caused_by"] == "e-9"


def test_a_partnership_target_maps_to_its_contract_event() -> None:
    cmd = commands.SetPartnershipTarget(
        SECRETARIAT,
        "digital-ecosystem",
        "1M by 2030",
        1_000_000,
        pledge_fields()["start_date"],
        pledge_fields()["deadline"],
    )
    view = PartnershipView("digital-ecosystem", "Digital Ecosystem", "digital")
    target = PartnershipTarget.set(
        "t-1",
        cmd.title,
        cmd.target(),
        partnership=view,
        partnership_id=view.partnership_id,
        actor=SECRETARIAT,
        at=NOW,
    )
    [event] = [to_contract(e) for e in target.events]
    assert COMMITMENT_EVENTS.adapter.validate_json(event.to_bytes()) == event
    assert key_for(event) == b"t-1"
    assert (event.target_id, event.target_version, event.actor) == ("t-1", 1, "secretariat")
