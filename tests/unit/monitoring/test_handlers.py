"""monitoring's handlers with Fake repositories: observable state and published events."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from monitoring.core.domain import commands
from monitoring.core.domain.acceptance import Reason
from monitoring.core.domain.alerting import AlertStatus
from monitoring.core.domain.events import AlertFired, AlertResolved, ReportRejected
from monitoring.core.domain.model import CommitmentStatus, Metric, Partnership
from monitoring.core.domain.ownership import Held
from monitoring.core.domain.progress import CommitmentProgress, TargetProgress
from monitoring.core.domain.rollups import Totals
from monitoring.core.service_layer import handlers
from pact_common.unit_of_work import SnapshotBehind

from .builders import NOW, commitment, partner, partnership_target, report
from .fakes import FakeTargetRepository, FakeUnitOfWork, Store


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


POLICY = handlers.Policy(park_for=timedelta(days=2))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def uow(clock: Clock) -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    await handlers.record_partner(commands.RecordPartner(partner()), uow, clock, POLICY)
    await handlers.record_commitment(commands.RecordCommitment(commitment()), uow, clock, POLICY)
    return uow


async def take(uow: FakeUnitOfWork, clock: Clock, *reports: object, **kw: object) -> dict[str, int]:
    cmd = commands.TakeReports(list(reports), **kw)  # type: ignore[arg-type]
    return {k.value: v for k, v in (await handlers.take_reports(cmd, uow, clock, POLICY)).items()}


def published(store: Store, kind: type) -> list:  # type: ignore[type-arg]
    return [e for e in store.published if isinstance(e, kind)]


def alerts_fired(store: Store) -> list[str]:
    return [e.alert.fingerprint for e in published(store, AlertFired)]


async def test_reports_flow_into_progress_and_rollups(uow: FakeUnitOfWork, clock: Clock) -> None:
    got = await take(
        uow,
        clock,
        report("2025-Q1", 3000, by_level={"advanced": 3000}),
        report("2025-Q2", 2000, people_reached=900),
    )
    assert got == {"applied": 2}
    s = uow.store
    assert s.commitments["c-cloud"].achieved == 5000
    assert s.rollups["partner:p-acme"].people_trained == 5000
    assert s.rollups["partnership:digital-ecosystem"].people_reached == 900
    assert s.rollups["level:advanced"].people_trained == 5000
    assert s.rollups["members:digital-ecosystem:people_trained"] == Totals(people_trained=5000)
    assert len(s.receipts) == 2  # one record per report taken: its receipt


async def test_a_batch_taken_again_changes_nothing(uow: FakeUnitOfWork, clock: Clock) -> None:
    batch = [report("2025-Q1", 3000), report("2025-Q2", 100), report("2030-Q1", 1)]
    await take(uow, clock, *batch)
    before = copy.deepcopy(uow.store)
    assert await take(uow, clock, *batch) == {"duplicate": 3}
    assert uow.store.__dict__ == before.__dict__


async def test_corrections_by_revision(uow: FakeUnitOfWork, clock: Clock) -> None:
    await take(uow, clock, report("2025-Q1", 3000))
    await take(uow, clock, report("2025-Q1", 2500, revision=2), report("2025-Q1", 9, revision=1))
    s = uow.store
    assert s.commitments["c-cloud"].achieved == 2500
    assert s.rollups["partner:p-acme"].people_trained == 2500
    assert [r.reason for r in published(s, ReportRejected)] == [Reason.STALE_REVISION]
    assert s.commitments["c-cloud"].stale_reports == 1


async def test_rejections_are_stored_and_published(uow: FakeUnitOfWork, clock: Clock) -> None:
    await take(uow, clock, report(partner_id="p-nobody"), report("2025-03"))
    reasons = {r.reason for r in uow.store.rejections.values()}
    assert reasons == {Reason.UNKNOWN_PARTNER, Reason.PERIOD_CADENCE_MISMATCH}
    assert published(uow.store, ReportRejected) == list(uow.store.rejections.values())


async def test_unreadable_messages_are_rejected_once(uow: FakeUnitOfWork, clock: Clock) -> None:
    bad = commands.Unreadable("topic/0/7", Reason.MALFORMED, "message is not JSON", "{nope")
    assert await take(uow, clock, unreadable=[bad]) == {"rejected": 1}
    assert await take(uow, clock, unreadable=[bad]) == {}
    [rejection] = published(uow.store, ReportRejected)
    assert (rejection.rejection_id, rejection.payload) == ("topic/0/7", "{nope")


async def test_an_early_report_is_parked_then_applied_when_its_commitment_arrives(
    uow: FakeUnitOfWork, clock: Clock
) -> None:
    assert await take(uow, clock, report("2025-Q1", 40, commitment_id="c-new")) == {"parked": 1}
    assert "c-new" not in uow.store.commitments and len(uow.store.parked) == 1
    later = commitment("c-new")
    await handlers.record_commitment(commands.RecordCommitment(later), uow, clock, POLICY)
    assert uow.store.commitments["c-new"].achieved == 40
    assert uow.store.parked == [] and published(uow.store, ReportRejected) == []


async def test_a_parked_report_released_can_still_be_refused(
    uow: FakeUnitOfWork, clock: Clock
) -> None:
    await take(uow, clock, report("2025-Q1", 40, commitment_id="c-new"))
    other = commitment("c-new", partner_id="p-other")
    await handlers.record_commitment(commands.RecordCommitment(other), uow, clock, POLICY)
    assert [r.reason for r in published(uow.store, ReportRejected)] == [Reason.NOT_OWNER]


async def test_a_report_read_before_its_partner_waits_for_it(
    uow: FakeUnitOfWork, clock: Clock
) -> None:
    mine = commitment("c-new", partner_id="p-new")
    await handlers.record_commitment(commands.RecordCommitment(mine), uow, clock, POLICY)
    await take(uow, clock, report("2025-Q1", 7, partner_id="p-new", commitment_id="c-new"))
    assert [p.awaiting.value for p in uow.store.parked] == ["partner"]
    await handlers.record_partner(commands.RecordPartner(partner("p-new")), uow, clock, POLICY)
    assert uow.store.commitments["c-new"].achieved == 7 and uow.store.parked == []
    assert uow.store.rollups["partner:p-new"].people_trained == 7


async def test_reports_of_partners_unknown_to_everyone_do_not_wait(
    uow: FakeUnitOfWork, clock: Clock
) -> None:
    await take(uow, clock, report(partner_id="p-who", commitment_id="c-what"))
    await take(uow, clock, report(partner_id="p-who"))  # c-cloud is p-acme's
    assert uow.store.parked == []
    reasons = [r.reason for r in published(uow.store, ReportRejected)]
    assert reasons == [Reason.UNKNOWN_PARTNER, Reason.UNKNOWN_PARTNER]


class StoredMeanwhile(FakeUnitOfWork):
    """Its copy of the store (its snapshot) is taken before `late` is stored."""

    def __init__(self, store: Store, late: Callable[[Store], None]) -> None:
        super().__init__(store)
        self.late = late

    async def __aenter__(self) -> FakeUnitOfWork:
        await super().__aenter__()
        self.late(self.store)
        return self


async def test_a_refusal_is_not_made_on_a_snapshot_behind_the_store(
    uow: FakeUnitOfWork, clock: Clock
) -> None:
    def new_partner(s: Store) -> None:
        s.partners["p-new"] = partner("p-new")

    def new_pledge(s: Store) -> None:
        s.commitments["c-new"] = CommitmentProgress.new(commitment("c-new", partner_id="p-new"))

    def approved(s: Store) -> None:
        s.partners["p-pending"] = partner("p-pending", version=2)

    uow.store.partners["p-pending"] = partner("p-pending", version=1, status="pending")
    cases = {
        new_partner: report(partner_id="p-new"),  # to c-cloud: p-acme's, so not parked
        new_pledge: report(partner_id="p-new", commitment_id="c-new"),
        approved: report(partner_id="p-pending"),  # partner_not_active in the snapshot
    }
    for late, sent in cases.items():
        store = copy.deepcopy(uow.store)
        cmd = commands.TakeReports([sent], [])
        with pytest.raises(SnapshotBehind):
            await handlers.take_reports(cmd, StoredMeanwhile(store, late), clock, POLICY)
        print(f"\n{late.__name__}: rejections {store.rejections}, receipts {store.receipts}")
        assert store.rejections == {} and store.receipts == {}
    strangers = report(partner_id="p-who", commitment_id="c-what")  # unknown past it too
    assert await take(StoredMeanwhile(uow.store, new_partner), clock, strangers) == {"rejected": 1}


async def test_parked_reports_expire_on_the_clock(uow: FakeUnitOfWork, clock: Clock) -> None:
    await take(uow, clock, report("2025-Q1", 40, commitment_id="c-never"))
    clock.advance(days=1)
    await handlers.sweep(commands.Sweep(), uow, clock, POLICY)
    assert published(uow.store, ReportRejected) == []
    clock.advance(days=1)
    await handlers.sweep(commands.Sweep(), uow, clock, POLICY)
    [expired] = published(uow.store, ReportRejected)
    assert expired.reason is Reason.PARKED_EXPIRED and uow.store.parked == []


async def test_older_partner_and_commitment_versions_are_ignored(
    uow: FakeUnitOfWork, clock: Clock
) -> None:
    assert not await handlers.record_partner(
        commands.RecordPartner(partner(version=1, status="suspended")), uow, clock, POLICY
    )
    assert uow.store.partners["p-acme"].status == "active"
    assert await handlers.record_partner(
        commands.RecordPartner(partner(version=3)), uow, clock, POLICY
    )
    stale = commitment(version=1, target_value=1)
    assert not await handlers.record_commitment(
        commands.RecordCommitment(stale), uow, clock, POLICY
    )
    assert uow.store.commitments["c-cloud"].commitment.target.target_value == 20000


async def test_an_amendment_moves_the_figures_between_rollups(
    uow: FakeUnitOfWork, clock: Clock
) -> None:
    await take(uow, clock, report("2025-Q1", 300))
    moved = commitment(version=2, partnership_id="cloud-alliance")
    await handlers.record_commitment(commands.RecordCommitment(moved), uow, clock, POLICY)
    rollups = uow.store.rollups
    assert rollups["partnership:digital-ecosystem"] == Totals()
    assert rollups["partnership:cloud-alliance"].people_trained == 300
    assert rollups["partner:p-acme"].people_trained == 300


async def test_a_deadline_passing_without_any_report_fires_target_missed_once(
    clock: Clock,
) -> None:
    uow = FakeUnitOfWork()
    await handlers.record_partner(commands.RecordPartner(partner()), uow, clock, POLICY)
    short = commitment(start_date=date(2025, 1, 1), deadline=date(2026, 5, 31), milestones=())
    await handlers.record_commitment(commands.RecordCommitment(short), uow, clock, POLICY)
    fired_before = alerts_fired(uow.store)
    clock.now = datetime(2026, 6, 30, 0, 5, tzinfo=NOW.tzinfo)  # deadline + 30 days' grace
    await handlers.sweep(commands.Sweep(), uow, clock, POLICY)
    assert "TargetMissed:commitment:c-cloud" not in alerts_fired(uow.store)
    clock.now = datetime(2026, 7, 1, 0, 5, tzinfo=NOW.tzinfo)  # the last report is now late
    for _ in range(3):
        await handlers.sweep(commands.Sweep(), uow, clock, POLICY)
        clock.advance(hours=10)
    new = alerts_fired(uow.store)[len(fired_before) :]
    assert new == ["TargetMissed:commitment:c-cloud"]
    assert "CommitmentAtRisk:commitment:c-cloud" in fired_before
    resolved = [e.alert.fingerprint for e in published(uow.store, AlertResolved)]
    assert resolved == ["CommitmentAtRisk:commitment:c-cloud"]


async def test_each_rule_fires_once_and_resolves_once(uow: FakeUnitOfWork, clock: Clock) -> None:
    clock.now = datetime(2027, 1, 30, tzinfo=NOW.tzinfo)  # 8,000 due 2026-12-31, 30 days' grace
    await handlers.sweep(commands.Sweep(), uow, clock, POLICY)
    assert "MilestoneMissed:commitment:c-cloud:2026-12-31" not in alerts_fired(uow.store)
    clock.now = datetime(2027, 2, 1, tzinfo=NOW.tzinfo)
    await handlers.sweep(commands.Sweep(), uow, clock, POLICY)
    firing = {a.fingerprint for a in uow.store.alerts.values() if a.status is AlertStatus.FIRING}
    assert firing == {
        "MilestoneMissed:commitment:c-cloud:2026-12-31",
        "CommitmentAtRisk:commitment:c-cloud",
        "ReportingOverdue:commitment:c-cloud",
    }
    quarters = [report(f"{y}-Q{q}", 1600) for y in (2025, 2026) for q in (1, 2, 3, 4)]
    for r in quarters:  # one report at a time: no repeats
        await take(uow, clock, r)
    await handlers.sweep(commands.Sweep(), uow, clock, POLICY)
    fired = alerts_fired(uow.store)
    resolved = [e.alert.fingerprint for e in published(uow.store, AlertResolved)]
    assert sorted(fired) == sorted([*firing, "MilestoneAchieved:commitment:c-cloud:2026-12-31"])
    assert sorted(resolved) == sorted(firing)
    assert uow.store.commitments["c-cloud"].on_track is True
    assert uow.store.rollups["partner:p-acme"].commitments_on_track == 1


async def test_partnership_targets_follow_member_commitments_with_the_same_metric(
    uow: FakeUnitOfWork, clock: Clock
) -> None:
    t = partnership_target(target_value=5000, baseline=1000)
    await handlers.record_partnership_target(
        commands.RecordPartnershipTarget(t), uow, clock, POLICY
    )
    reach = commitment("c-reach", metric=Metric.PEOPLE_REACHED)
    await handlers.record_commitment(commands.RecordCommitment(reach), uow, clock, POLICY)
    await take(
        uow,
        clock,
        report("2025-Q1", 99, commitment_id="c-reach"),
        report("2025-Q1", 3000),
        report("2025-Q2", 999),
    )
    assert alerts_fired(uow.store).count("TargetAchieved:partnership_target:t-digital") == 0
    await take(uow, clock, report("2025-Q3", 1001))
    assert alerts_fired(uow.store).count("TargetAchieved:partnership_target:t-digital") == 1
    achieved = next(
        e.alert
        for e in published(uow.store, AlertFired)
        if e.alert.rule.value == "TargetAchieved" and e.alert.subject.id == "t-digital"
    )
    assert (achieved.expected, achieved.actual) == (5000, 1000 + 3000 + 999 + 1001)


async def test_a_target_is_stored_when_new_and_once_a_day_not_each_batch(
    uow: FakeUnitOfWork, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches move a target's sum all day; writing its document each time would make
    every instance of a consumer group write it (docs/scaling.md)."""
    stored: list[tuple[str, date | None]] = []
    save = FakeTargetRepository._save_many

    async def counted(self: FakeTargetRepository, targets: list[TargetProgress]) -> None:
        stored.extend((t.id, t.evaluated_on) for t in targets)
        await save(self, targets)

    monkeypatch.setattr(FakeTargetRepository, "_save_many", counted)
    target = commands.RecordPartnershipTarget(partnership_target(target_value=5000))
    await handlers.record_partnership_target(target, uow, clock, POLICY)
    for quarter in ("2025-Q1", "2025-Q2", "2025-Q3"):
        await take(uow, clock, report(quarter, 1000))
    clock.advance(days=1)
    await take(uow, clock, report("2025-Q4", 1000))
    print("target documents written:", stored)
    today = NOW.date()
    assert stored == [("t-digital", today), ("t-digital", today + timedelta(days=1))]
    assert uow.store.targets["t-digital"].evaluated_on == today + timedelta(days=1)


async def test_after_a_batch_only_the_owner_of_a_target_evaluates_it(
    uow: FakeUnitOfWork, clock: Clock
) -> None:
    """Two instances share the progress topic: a batch of the one that does not own the
    target moves its sum without evaluating it; the owner's evaluation of what it owns
    fires the alert, once."""
    t = partnership_target(target_value=5000)
    await handlers.record_partnership_target(
        commands.RecordPartnershipTarget(t), uow, clock, POLICY
    )
    halves = Held(frozenset({0}), 2), Held(frozenset({1}), 2)
    owner, other = sorted(halves, key=lambda h: not h.owns(t.id))
    achieved = "TargetAchieved:partnership_target:t-digital"
    await take(uow, clock, report("2025-Q1", 6000), held=other)
    assert uow.store.rollups["members:digital-ecosystem:people_trained"].people_trained == 6000
    assert alerts_fired(uow.store).count(achieved) == 0
    for held, owned in ((other, 0), (owner, 1), (owner, 1)):
        cmd = commands.SettleOwnedTargets(held)
        assert await handlers.settle_owned_targets(cmd, uow, clock, POLICY) == owned
    print("fired:", alerts_fired(uow.store))
    assert alerts_fired(uow.store).count(achieved) == 1


async def test_a_withdrawn_commitment_resolves_its_alerts(
    uow: FakeUnitOfWork, clock: Clock
) -> None:
    clock.now = datetime(2027, 1, 2, tzinfo=NOW.tzinfo)
    await handlers.sweep(commands.Sweep(), uow, clock, POLICY)
    gone = commitment(version=2, status=CommitmentStatus.WITHDRAWN)
    await handlers.record_commitment(commands.RecordCommitment(gone), uow, clock, POLICY)
    assert all(a.status is not AlertStatus.FIRING for a in uow.store.alerts.values())
    assert uow.store.rollups["partner:p-acme"].commitments == 0
    resolved = published(uow.store, AlertResolved)
    assert resolved and all("commitment c-cloud is withdrawn" in e.alert.message for e in resolved)


async def test_the_sweep_runs_the_rules_once_a_day(uow: FakeUnitOfWork, clock: Clock) -> None:
    first = await handlers.sweep(commands.Sweep(), uow, clock, POLICY)
    assert first.commitments == 0  # evaluated when it arrived, today
    clock.advance(days=1)
    assert (await handlers.sweep(commands.Sweep(), uow, clock, POLICY)).commitments == 1
    assert (await handlers.sweep(commands.Sweep(), uow, clock, POLICY)).done


async def test_partnerships_are_recorded(uow: FakeUnitOfWork) -> None:
    p = Partnership("digital-ecosystem", "Digital Ecosystem Skills Partnership")
    await handlers.record_partnership(commands.RecordPartnership(p), uow)
    assert uow.store.partnerships == {p.id: p}


async def test_signed_reports_are_checked_with_the_policy(
    uow: FakeUnitOfWork, clock: Clock
) -> None:
    signer = partner(version=3, signing_key="K")
    await handlers.record_partner(commands.RecordPartner(signer), uow, clock, POLICY)
    policy = replace(POLICY, verify=lambda r, key: key == "K" and r.signature == "good")
    good = replace(report("2025-Q1", 5), signature="good")
    forged = replace(report("2025-Q2", 5), signature="forged")
    cmd = commands.TakeReports([good, forged, report("2025-Q3", 5)])
    await handlers.take_reports(cmd, uow, clock, policy)
    assert uow.store.commitments["c-cloud"].achieved == 5
    reasons = [r.reason for r in published(uow.store, ReportRejected)]
    assert reasons == [Reason.BAD_SIGNATURE, Reason.UNSIGNED]


async def test_nothing_is_stored_without_a_commit(clock: Clock) -> None:
    uow = FakeUnitOfWork()
    with pytest.raises(RuntimeError):
        async with uow:
            await uow.partners.put(partner())
            raise RuntimeError("crash")
    assert uow.store.partners == {}
    assert replace(partner(), version=1).version == 1
