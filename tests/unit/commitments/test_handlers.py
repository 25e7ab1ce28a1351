"""The handlers with fake repositories: what is stored and what is published."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import date

import pytest

from commitments.domain import commands
from commitments.domain.errors import CommitmentNotFound, NotAllowed, RuleBroken
from commitments.domain.model import CommitmentStatus
from commitments.domain.partners import PartnershipView, PartnerStatus, PartnerView
from commitments.domain.values import Amendment, Cause
from commitments.service_layer import handlers
from tests.unit.commitments.fakes import (
    ACTIVE_PARTNER,
    NOW,
    OTHER,
    PARTNER,
    PARTNER_ID,
    SECRETARIAT,
    FakeUnitOfWork,
    Store,
    clock,
    pledge_fields,
)


def store_with_partner(partner: PartnerView = ACTIVE_PARTNER) -> Store:
    store = Store()
    store.partners[partner.partner_id] = partner
    return store


async def pledge(store: Store, **changes: object) -> str:
    cmd = commands.PledgeCommitment(**pledge_fields(**changes))  # type: ignore[arg-type]
    commitment = await handlers.pledge_commitment(cmd, FakeUnitOfWork(store), clock)
    return commitment.id


def names(store: Store) -> list[str]:
    return [event.name for event in store.published]


async def test_pledge_amend_withdraw_store_history_and_publish() -> None:
    store = store_with_partner()
    cid = await pledge(store)
    assert cid.startswith("c-") and store.holds == {PARTNER_ID: 1}
    await handlers.amend_commitment(
        commands.AmendCommitment(PARTNER, cid, Amendment("More trainers", target_value=6000)),
        FakeUnitOfWork(store),
        clock,
    )
    await handlers.withdraw_commitment(
        commands.WithdrawCommitment(PARTNER, cid, "Budget cut"), FakeUnitOfWork(store), clock
    )
    stored = store.commitments[cid]
    assert (stored.status, stored.version) == (CommitmentStatus.WITHDRAWN, 3)
    assert names(store) == ["CommitmentPledged", "CommitmentAmended", "CommitmentWithdrawn"]
    assert [e.version for e in store.history] == [1, 2, 3]
    assert [e.terms.target.target_value for e in store.history] == [5000, 6000, 6000]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"deadline": date(2025, 1, 1)}, RuleBroken),
        ({"partner_id": "p-unknown", "actor": SECRETARIAT}, RuleBroken),
        ({"actor": OTHER}, NotAllowed),
    ],
)
async def test_a_refused_pledge_stores_and_publishes_nothing(
    changes: dict[str, object], error: type[Exception]
) -> None:
    store = store_with_partner()
    with pytest.raises(error):
        await pledge(store, **changes)
    assert store.commitments == {} and store.published == [] and store.holds == {}


class ApprovedMeanwhile(FakeUnitOfWork):
    """Its first copy of the store (its snapshot) is taken before the partner's approval
    is stored; every later one is current."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.entered = 0

    async def __aenter__(self) -> FakeUnitOfWork:
        await super().__aenter__()
        self.entered += 1
        if self.entered == 1:
            self.store.partners[PARTNER_ID] = ACTIVE_PARTNER
        return self


@pytest.mark.parametrize(
    "before", [None, replace(ACTIVE_PARTNER, version=1, status=PartnerStatus.PENDING)]
)
async def test_a_pledge_is_not_refused_on_a_snapshot_behind_the_partner(
    before: PartnerView | None,
) -> None:
    store = Store()
    if before is not None:
        store.partners[PARTNER_ID] = before
    uow = ApprovedMeanwhile(store)
    cmd = commands.PledgeCommitment(**pledge_fields())  # type: ignore[arg-type]
    commitment = await handlers.pledge_commitment(cmd, uow, clock)
    print(f"\nthe partner before: {before}; units of work entered: {uow.entered}")
    assert uow.entered == 2 and store.commitments[commitment.id].version == 1
    assert names(store) == ["CommitmentPledged"]


async def test_unknown_commitments_are_not_found() -> None:
    store = store_with_partner()
    with pytest.raises(CommitmentNotFound) as caught:
        await handlers.withdraw_commitment(
            commands.WithdrawCommitment(PARTNER, "c-nope", "x"), FakeUnitOfWork(store), clock
        )
    assert (caught.value.status, caught.value.field) == (404, "commitment_id")


async def test_a_partnership_target_is_set_and_published() -> None:
    store = Store()
    cmd = commands.SetPartnershipTarget(
        SECRETARIAT,
        "digital-ecosystem",
        "1M by 2030",
        1_000_000,
        date(2025, 1, 1),
        date(2030, 12, 31),
    )
    target = await handlers.set_partnership_target(cmd, FakeUnitOfWork(store), clock)
    assert store.targets[target.id].target.target_value == 1_000_000
    assert names(store) == ["PartnershipTargetSet"]
    with pytest.raises(RuleBroken):
        await handlers.set_partnership_target(
            replace(cmd, partnership_id="automotive"), FakeUnitOfWork(store), clock
        )


async def test_a_partnership_is_recorded() -> None:
    store = Store()
    automotive = PartnershipView("automotive", "Automotive Skills Alliance", "automotive")
    await handlers.record_partnership(commands.RecordPartnership(automotive), FakeUnitOfWork(store))
    assert store.partnerships["automotive"] == automotive


# ------------------------------------------------- partner events: effects and convergence

STATUSES = [  # a partner's life as the registry numbers it
    PartnerStatus.PENDING,  # v1 registered
    PartnerStatus.ACTIVE,  # v2 approved
    PartnerStatus.ACTIVE,  # v3 updated (profile change, same status)
    PartnerStatus.SUSPENDED,  # v4 suspended
    PartnerStatus.ACTIVE,  # v5 reinstated
    PartnerStatus.SUSPENDED,  # v6 suspended again
]


def partner_event(version: int) -> commands.RecordPartner:
    view = PartnerView(PARTNER_ID, version, STATUSES[version - 1], ("digital-ecosystem",))
    return commands.RecordPartner(view, Cause(f"e-{version}", NOW, "secretariat", "why"))


async def record(store: Store, *versions: int) -> list[int]:
    return [
        await handlers.record_partner(partner_event(v), FakeUnitOfWork(store)) for v in versions
    ]


async def test_suspension_suspends_open_commitments_and_reinstatement_resumes_them() -> None:
    store = Store()
    await record(store, 1, 2)
    first, second = await pledge(store), await pledge(store, title="Second pledge")
    await handlers.withdraw_commitment(
        commands.WithdrawCommitment(PARTNER, second, "Done elsewhere"), FakeUnitOfWork(store), clock
    )
    assert await record(store, 3, 4) == [0, 1]  # the withdrawn one is left alone
    assert store.commitments[first].status is CommitmentStatus.SUSPENDED
    assert store.commitments[second].status is CommitmentStatus.WITHDRAWN
    suspended = store.published[-1]
    assert (suspended.name, suspended.caused_by, suspended.reason) == (
        "CommitmentSuspended",
        "e-4",
        "why",
    )
    assert await record(store, 5) == [1]
    assert store.commitments[first].status is CommitmentStatus.ACTIVE
    assert names(store)[-1] == "CommitmentResumed"


async def test_partner_withdrawal_withdraws_open_commitments() -> None:
    store = store_with_partner()
    cid = await pledge(store)
    withdrawn = PartnerView(PARTNER_ID, 3, PartnerStatus.WITHDRAWN, ())
    cause = Cause("e-3", NOW, "p-acme", "Leaving the Pact")
    assert (
        await handlers.record_partner(
            commands.RecordPartner(withdrawn, cause), FakeUnitOfWork(store)
        )
        == 1
    )
    assert store.commitments[cid].status is CommitmentStatus.WITHDRAWN


@pytest.mark.parametrize("seed", range(12))
async def test_the_partner_read_model_converges_under_duplicates_and_reordering(
    seed: int,
) -> None:
    """Whatever order (and however often) partner events arrive, the partner ends at its
    newest snapshot and its commitment at the status that snapshot implies."""
    rng = random.Random(seed)
    store = Store()
    await record(store, 1, 2)
    cid = await pledge(store)
    later = [3, 4, 5, 6] * 2 + [1, 2]
    rng.shuffle(later)
    await record(store, *later)
    assert store.partners[PARTNER_ID].version == 6
    assert store.commitments[cid].status is CommitmentStatus.SUSPENDED
    versions = [e.version for e in store.history if e.commitment_id == cid]
    assert versions == list(range(1, len(versions) + 1))  # no gaps, no repeats


async def test_every_order_of_the_last_two_status_changes_converges() -> None:
    for order in itertools.permutations([4, 5, 3]):
        store = Store()
        await record(store, 1, 2)
        cid = await pledge(store)
        await record(store, *order, *order)
        assert store.partners[PARTNER_ID].version == 5
        assert store.commitments[cid].status is CommitmentStatus.ACTIVE, order


# ----------------------------------------------------------------- monitoring's alerts


async def test_target_outcomes_set_achieved_or_missed_once() -> None:
    store = store_with_partner()
    achieved, missed = await pledge(store), await pledge(store, title="Other")
    cause = Cause("alert-1", NOW, "monitoring", "Target reached")
    outcome = commands.RecordTargetOutcome
    assert await handlers.record_target_outcome(
        outcome(achieved, True, cause), FakeUnitOfWork(store)
    )
    assert not await handlers.record_target_outcome(
        outcome(achieved, True, cause), FakeUnitOfWork(store)
    )
    assert await handlers.record_target_outcome(
        outcome(missed, False, cause), FakeUnitOfWork(store)
    )
    assert not await handlers.record_target_outcome(
        outcome("c-gone", True, cause), FakeUnitOfWork(store)
    )
    assert store.commitments[achieved].status is CommitmentStatus.ACHIEVED
    assert store.commitments[missed].status is CommitmentStatus.MISSED
    assert names(store)[-2:] == ["CommitmentAchieved", "CommitmentMissed"]
