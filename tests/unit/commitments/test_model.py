"""The commitments domain: pledges, amendments, lifecycle, partnership targets."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from commitments.domain import commands, events
from commitments.domain.errors import NotAllowed, RuleBroken, StatusConflict
from commitments.domain.model import Commitment, CommitmentStatus, PartnershipTarget
from commitments.domain.partners import ANSWERED, PartnershipView, PartnerStatus, PartnerView
from commitments.domain.values import Amendment, Cause, Milestone, Target
from tests.unit.commitments.fakes import (
    ACTIVE_PARTNER,
    NOW,
    OTHER,
    PARTNER,
    SECRETARIAT,
    pledge_fields,
)

CAUSE = Cause(event_id="e-1", at=NOW, actor="secretariat", reason="charter breach")


def pledged(**changes: Any) -> Commitment:
    cmd = commands.PledgeCommitment(**pledge_fields(**changes))
    return Commitment.pledge("c-1", cmd.terms(), partner=ACTIVE_PARTNER, actor=cmd.actor, at=NOW)


def refused(error: type[Exception], **changes: Any) -> Any:
    with pytest.raises(error) as caught:
        pledged(**changes)
    return caught.value


# ----------------------------------------------------------------------------- pledge


def test_a_pledge_is_active_at_version_one_with_its_event() -> None:
    commitment = pledged()
    assert (commitment.status, commitment.version) == (CommitmentStatus.ACTIVE, 1)
    [event] = commitment.events
    assert isinstance(event, events.CommitmentPledged)
    assert (event.version, event.status, event.actor) == (1, "active", "p-acme")
    assert event.terms.target.target_value == 5000
    assert event.terms.target.metric == "people_trained"


@pytest.mark.parametrize(
    ("changes", "rule", "field"),
    [
        ({"deadline": date(2025, 12, 31)}, "deadline_before_start", "deadline"),
        ({"deadline": date(2026, 1, 1)}, "deadline_before_start", "deadline"),
        ({"target_value": 0}, "target_not_above_baseline", "target_value"),
        ({"baseline": 5000}, "target_not_above_baseline", "target_value"),
        ({"baseline": -1}, "not_negative", "baseline"),
        (
            {"milestones": (Milestone(date(2026, 12, 31), 1000), Milestone(date(2026, 6, 30), 2))},
            "milestones_out_of_order",
            "milestones.1.due_date",
        ),
        (
            {"milestones": (Milestone(date(2027, 12, 31), 1000),)},
            "milestone_after_deadline",
            "milestones.0.due_date",
        ),
        (
            {"milestones": (Milestone(date(2028, 6, 30), 1000),)},
            "milestone_after_deadline",
            "milestones.0.due_date",
        ),
        (
            {"milestones": (Milestone(date(2026, 1, 1), 1000),)},
            "milestones_out_of_order",
            "milestones.0.due_date",
        ),
        (
            {"milestones": (Milestone(date(2026, 6, 30), 900), Milestone(date(2026, 9, 30), 900))},
            "milestones_not_increasing",
            "milestones.1.value",
        ),
        (
            {"baseline": 100, "milestones": (Milestone(date(2026, 6, 30), 100),)},
            "milestones_not_increasing",
            "milestones.0.value",
        ),
        (
            {"milestones": (Milestone(date(2026, 6, 30), 5001),)},
            "milestone_above_target",
            "milestones.0.value",
        ),
        ({"title": "  "}, "required", "title"),
        ({"countries": ()}, "required", "countries"),
        ({"specialisations": ("cloud", "cloud")}, "duplicate", "specialisations"),
        ({"grace_days": 400}, "out_of_range", "grace_days"),
    ],
)
def test_bad_terms_name_the_field_and_the_rule(
    changes: dict[str, Any], rule: str, field: str
) -> None:
    error = refused(RuleBroken, **changes)
    assert (error.code, error.field, error.status) == (rule, field, 422)


def test_the_target_may_be_reached_by_the_last_milestone() -> None:
    commitment = pledged(milestones=(Milestone(date(2027, 6, 30), 5000),))
    assert commitment.terms.target.milestones[0].value == 5000


@pytest.mark.parametrize(
    ("partner", "rule"),
    [
        (None, "unknown_partner"),
        (replace(ACTIVE_PARTNER, status=PartnerStatus.PENDING), "partner_not_active"),
        (replace(ACTIVE_PARTNER, status=PartnerStatus.SUSPENDED), "partner_not_active"),
        (replace(ACTIVE_PARTNER, status=PartnerStatus.WITHDRAWN), "partner_not_active"),
        (replace(ACTIVE_PARTNER, partnerships=("automotive",)), "not_a_member"),
    ],
)
def test_only_an_active_member_partner_pledges(partner: PartnerView | None, rule: str) -> None:
    terms = commands.PledgeCommitment(**pledge_fields()).terms()
    with pytest.raises(RuleBroken) as caught:
        Commitment.pledge("c-1", terms, partner=partner, actor=PARTNER, at=NOW)
    assert caught.value.code == rule
    assert caught.value.field == ("partnership_id" if rule == "not_a_member" else "partner_id")


def test_a_partner_may_not_pledge_for_another_but_the_secretariat_may() -> None:
    terms = commands.PledgeCommitment(**pledge_fields()).terms()
    with pytest.raises(NotAllowed) as caught:
        Commitment.pledge("c-1", terms, partner=ACTIVE_PARTNER, actor=OTHER, at=NOW)
    assert (caught.value.status, caught.value.field) == (403, "partner_id")
    made = Commitment.pledge("c-1", terms, partner=ACTIVE_PARTNER, actor=SECRETARIAT, at=NOW)
    assert made.events[0].actor == "secretariat"


# -------------------------------------------------------------------------- amendments


def test_an_amendment_makes_a_new_version_and_keeps_the_old_one() -> None:
    commitment = pledged()
    original = commitment.terms
    commitment.amend(
        Amendment("Scope extended to PT", target_value=6000, deadline=date(2028, 6, 30)),
        actor=PARTNER,
        at=NOW,
    )
    pledge, amendment = commitment.events
    assert isinstance(amendment, events.CommitmentAmended)
    assert (commitment.version, amendment.version) == (2, 2)
    assert amendment.changed_fields == ("target_value", "deadline")
    assert amendment.reason == "Scope extended to PT"
    assert amendment.terms.target.target_value == 6000
    assert pledge.terms == original  # the past is not rewritten
    assert pledge.terms.target.deadline == date(2027, 12, 31)


def test_amended_milestones_are_checked_against_the_new_deadline() -> None:
    commitment = pledged()
    with pytest.raises(RuleBroken) as caught:
        commitment.amend(Amendment("shorter", deadline=date(2026, 9, 30)), actor=PARTNER, at=NOW)
    assert (caught.value.code, caught.value.field) == (
        "milestone_after_deadline",
        "milestones.1.due_date",
    )
    assert commitment.version == 1


def test_milestones_already_due_cannot_be_changed() -> None:
    commitment = pledged()
    later = NOW + timedelta(days=200)  # 2026-09-18: the June milestone is due
    lowered = (Milestone(date(2026, 6, 30), 500), Milestone(date(2026, 12, 31), 2500))
    with pytest.raises(RuleBroken) as caught:
        commitment.amend(Amendment("lower", milestones=lowered), actor=PARTNER, at=later)
    assert (caught.value.code, caught.value.field) == ("past_milestone_changed", "milestones")
    future_only = (Milestone(date(2026, 6, 30), 1000), Milestone(date(2026, 12, 31), 2000))
    commitment.amend(
        Amendment("lower the December one", milestones=future_only), actor=PARTNER, at=later
    )
    assert commitment.terms.target.milestones == future_only


@pytest.mark.parametrize(
    ("amendment", "at_days", "error", "rule"),
    [
        (Amendment("same", target_value=5000), 0, RuleBroken, "nothing_to_amend"),
        (Amendment(" ", target_value=6000), 0, RuleBroken, "required"),
        (Amendment("past", deadline=date(2026, 3, 1)), 0, RuleBroken, "deadline_in_past"),
        (Amendment("late", deadline=date(2029, 1, 1)), 700, StatusConflict, "deadline_passed"),
        (Amendment("low", target_value=10), 0, RuleBroken, "milestone_above_target"),
    ],
)
def test_refused_amendments(
    amendment: Amendment, at_days: int, error: type[Exception], rule: str
) -> None:
    commitment = pledged()
    with pytest.raises(error) as caught:
        commitment.amend(amendment, actor=PARTNER, at=NOW + timedelta(days=at_days))
    assert getattr(caught.value, "code", None) == rule
    assert (commitment.version, len(commitment.events)) == (1, 1)


def test_a_partner_may_not_amend_or_withdraw_another_partners_commitment() -> None:
    commitment = pledged()
    with pytest.raises(NotAllowed):
        commitment.amend(Amendment("mine now", target_value=1), actor=OTHER, at=NOW)
    with pytest.raises(NotAllowed):
        commitment.withdraw("mine now", actor=OTHER, at=NOW)
    commitment.amend(Amendment("secretariat may", target_value=7000), actor=SECRETARIAT, at=NOW)
    assert commitment.version == 2


# --------------------------------------------------------------------------- lifecycle


def test_withdrawal_needs_a_reason_and_closes_the_commitment() -> None:
    commitment = pledged()
    with pytest.raises(RuleBroken):
        commitment.withdraw("", actor=PARTNER, at=NOW)
    commitment.withdraw("Budget cut", actor=PARTNER, at=NOW)
    assert (commitment.status, commitment.version) == (CommitmentStatus.WITHDRAWN, 2)
    assert isinstance(commitment.events[-1], events.CommitmentWithdrawn)
    with pytest.raises(StatusConflict) as caught:
        commitment.withdraw("again", actor=PARTNER, at=NOW)
    assert (caught.value.code, caught.value.status) == ("not_open", 409)
    with pytest.raises(StatusConflict):
        commitment.amend(Amendment("revive", target_value=1), actor=PARTNER, at=NOW)


def test_commitments_follow_their_partners_status() -> None:
    commitment = pledged()
    assert commitment.follow_partner(PartnerStatus.SUSPENDED, CAUSE)
    assert commitment.status is CommitmentStatus.SUSPENDED
    assert not commitment.follow_partner(PartnerStatus.SUSPENDED, CAUSE)
    assert commitment.follow_partner(PartnerStatus.ACTIVE, CAUSE)
    assert commitment.status is CommitmentStatus.ACTIVE
    assert commitment.follow_partner(PartnerStatus.WITHDRAWN, CAUSE)
    assert commitment.status is CommitmentStatus.WITHDRAWN
    assert not commitment.follow_partner(PartnerStatus.ACTIVE, CAUSE)
    kinds = [type(e).__name__ for e in commitment.events]
    assert kinds == [
        "CommitmentPledged",
        "CommitmentSuspended",
        "CommitmentResumed",
        "CommitmentWithdrawn",
    ]
    assert [e.version for e in commitment.events] == [1, 2, 3, 4]
    assert commitment.events[1].caused_by == "e-1"
    assert commitment.events[1].reason == "charter breach"


def test_a_closed_commitment_ignores_its_partners_suspension() -> None:
    commitment = pledged()
    commitment.mark_achieved(CAUSE)
    assert not commitment.follow_partner(PartnerStatus.SUSPENDED, CAUSE)
    assert not commitment.follow_partner(PartnerStatus.WITHDRAWN, CAUSE)
    assert commitment.status is CommitmentStatus.ACHIEVED


def test_monitorings_verdicts() -> None:
    missed = pledged()
    assert missed.mark_missed(CAUSE)
    assert not missed.mark_missed(CAUSE)  # a duplicate verdict changes nothing
    assert missed.status is CommitmentStatus.MISSED
    assert missed.mark_achieved(CAUSE)  # a late report reached the target after all
    assert not missed.mark_missed(CAUSE)
    assert missed.status is CommitmentStatus.ACHIEVED
    suspended = pledged()
    suspended.follow_partner(PartnerStatus.SUSPENDED, CAUSE)
    assert suspended.mark_achieved(CAUSE)
    withdrawn = pledged()
    withdrawn.withdraw("Budget cut", actor=PARTNER, at=NOW)
    assert not withdrawn.mark_achieved(CAUSE)
    assert not withdrawn.mark_missed(CAUSE)
    assert withdrawn.status is CommitmentStatus.WITHDRAWN


# -------------------------------------------------------------------- partner read model


def test_the_highest_partner_version_wins() -> None:
    v2 = ACTIVE_PARTNER
    v3 = replace(v2, version=3, status=PartnerStatus.SUSPENDED)
    assert v2.supersedes(None)
    assert v3.supersedes(v2)
    assert not v2.supersedes(v3)
    assert not v2.supersedes(v2)
    assert v3.changes_status_of(v2)
    assert not replace(v2, version=4, partnerships=()).changes_status_of(v2)
    assert v3.status not in ANSWERED and v2.status in ANSWERED


# ---------------------------------------------------------------- partnership targets

DIGITAL = PartnershipView("digital-ecosystem", "Digital Ecosystem Skills Partnership", "digital")
TARGET = Target(
    metric="people_trained",
    target_value=1_000_000,
    start_date=date(2025, 1, 1),
    deadline=date(2030, 12, 31),
    milestones=tuple(Milestone(date(y, 12, 31), (y - 2024) * 150_000) for y in range(2025, 2030)),
)


def test_the_secretariat_sets_a_partnership_target() -> None:
    target = PartnershipTarget.set(
        "t-1",
        "1 million people trained by 2030",
        TARGET,
        partnership=DIGITAL,
        partnership_id=DIGITAL.partnership_id,
        actor=SECRETARIAT,
        at=NOW,
    )
    [event] = target.events
    assert (event.target_id, event.version, event.partnership_id) == (
        "t-1",
        1,
        DIGITAL.partnership_id,
    )
    assert len(event.target.milestones) == 5


def test_partnership_targets_are_for_the_secretariat_and_known_partnerships() -> None:
    with pytest.raises(NotAllowed):
        PartnershipTarget.set(
            "t-1", "x", TARGET, partnership=DIGITAL, partnership_id="d", actor=PARTNER, at=NOW
        )
    with pytest.raises(RuleBroken) as caught:
        PartnershipTarget.set(
            "t-1", "x", TARGET, partnership=None, partnership_id="nope", actor=SECRETARIAT, at=NOW
        )
    assert (caught.value.code, caught.value.field) == ("unknown_partnership", "partnership_id")
