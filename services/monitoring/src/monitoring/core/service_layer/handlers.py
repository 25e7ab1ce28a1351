"""One small function per command: open the unit of work, load, call the domain, commit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from monitoring.core.domain import buckets, commands, years
from monitoring.core.domain.acceptance import Awaited, SignatureCheck, unverifiable
from monitoring.core.domain.conditions import AlertConfig
from monitoring.core.domain.events import ReportRejected
from monitoring.core.domain.intake import Intake, ParkedReport, Taken, expired
from monitoring.core.domain.learners import additions
from monitoring.core.domain.model import Partner
from monitoring.core.domain.progress import CommitmentProgress, TargetProgress
from monitoring.core.domain.rollups import contribution
from monitoring.core.service_layer.evaluation import (
    settle_commitments,
    settle_held,
    settle_targets,
)
from monitoring.core.service_layer.unit_of_work import UnitOfWork
from pact_common.clock import Clock
from pact_common.turns import paced
from pact_common.unit_of_work import SnapshotBehind
from pact_common.versions import is_newer


@dataclass(frozen=True)
class Policy:
    alerts: AlertConfig = field(default_factory=AlertConfig)
    #: how long a report waits for its commitment before it is rejected (parked_expired)
    park_for: timedelta = timedelta(days=7)
    #: how many reports one partner may have waiting; more are refused (unknown_commitment)
    park_limit: int = 1000
    #: how a signed report is verified against its partner's public key
    verify: SignatureCheck = unverifiable
    #: every report taken over Kafka must be signed (MONITORING_REQUIRE_SIGNATURES)
    signatures_required: bool = False


async def take_reports(
    cmd: commands.TakeReports, uow: UnitOfWork, clock: Clock, policy: Policy
) -> Counter[Taken]:
    """The hot path: a batch from the progress topic, in one transaction. Each report taken
    leaves one record, its receipt (event_id, content hash), which is also what makes a
    redelivery recognisable: no inbox entry besides."""
    uow.held = cmd.held
    async with uow:
        now = clock()
        ids = {r.event_id for r in cmd.reports}
        seen = await uow.receipts.get_many(ids)
        progress = await uow.commitments.get_many(
            {r.commitment_id for r in cmd.reports},
            {(r.commitment_id, r.period) for r in cmd.reports},
        )
        partners = await uow.partners.get_many({r.partner_id for r in cmd.reports})
        # a report waits only for a partner or a commitment not known yet (acceptance.py):
        # the parking is counted for the partners of those alone, most batches none
        may_wait = {
            r.partner_id
            for r in cmd.reports
            if r.partner_id not in partners or r.commitment_id not in progress
        }
        intake = Intake(
            partners=partners,
            progress=progress,
            now=now,
            receipts=seen,
            parked_counts=await uow.parking.counts(may_wait) if may_wait else Counter(),
            park_limit=policy.park_limit,
            park_for=policy.park_for,
            verify=policy.verify,
            signatures_required=policy.signatures_required,
        )
        async for report in paced(cmd.reports):
            intake.take(report)
        partners_, commitments_ = intake.refused_on_partners, intake.refused_on_commitments
        if partners_ and await uow.rejections.outdated(partners_, commitments_):
            # refused on a partner or commitment stored newer meanwhile: decide the batch again
            raise SnapshotBehind(f"{len(partners_)} partners, {len(commitments_)} commitments")
        unreadable = await _refuse_unreadable(uow, cmd.unreadable, now)
        await uow.receipts.add_many(intake.new_receipts)
        await uow.receipts.save_many(intake.changed_receipts)
        await uow.parking.park(intake.parked)
        await _reject(uow, intake.rejected)
        await uow.learners.merge(additions(intake.with_learners))
        await settle_commitments(uow, (progress[c] for c in intake.touched), now, policy.alerts)
        await uow.commit()
    if unreadable:
        intake.counts[Taken.REJECTED] += unreadable
    return intake.counts


async def _reject(uow: UnitOfWork, rejected: list[ReportRejected]) -> None:
    await uow.rejections.add_many(rejected)


def _attributed(
    u: commands.Unreadable, owners: Mapping[str, str], partners: Mapping[str, object]
) -> commands.Unreadable:
    """Whose an unreadable message is: its commitment's owner, or the partner its key
    names (when it names no commitment and no partner itself)."""
    if (owner := owners.get(u.commitment_id or "")) is not None:
        return replace(u, partner_id=owner)
    if u.commitment_id is None and (owner := owners.get(u.key or "")) is not None:
        return replace(u, partner_id=owner, commitment_id=u.key)
    if u.partner_id is None and u.commitment_id is None and u.key in partners:
        return replace(u, partner_id=u.key)
    return u


async def _refuse_unreadable(
    uow: UnitOfWork, unreadable: list[commands.Unreadable], now: datetime
) -> int:
    """Unreadable messages have no trustworthy event_id: their position on the topic makes
    a redelivery recognisable. One that names a commitment monitoring knows (in what could
    be read of it, or by its Kafka key) is its partner's to see; one keyed by a partner
    monitoring knows, and naming no other, is that partner's."""
    known = await uow.rejections.existing(u.source for u in unreadable)
    fresh = {u.source: u for u in unreadable if u.source not in known}
    named = {c for u in fresh.values() if (c := u.commitment_id or u.key) is not None}
    owners = {
        c: p.commitment.partner_id for c, p in (await uow.commitments.get_many(named)).items()
    }
    keyed = {u.key for u in fresh.values() if u.key and not (u.partner_id or u.commitment_id)}
    partners = await uow.partners.get_many(keyed - owners.keys()) if keyed else {}
    fresh = {source: _attributed(u, owners, partners) for source, u in fresh.items()}
    await _reject(
        uow,
        [
            ReportRejected(
                rejection_id=u.source,
                reason=u.reason,
                message=u.error,
                field=None,
                rejected_at=now,
                payload=u.payload,
                payload_encoding=u.payload_encoding,
                event_id=u.event_id,
                partner_id=u.partner_id,
                commitment_id=u.commitment_id,
            )
            for u in fresh.values()
        ],
    )
    return len(fresh)


async def record_partner(
    cmd: commands.RecordPartner, uow: UnitOfWork, clock: Clock, policy: Policy
) -> bool:
    """Keep the partner snapshot with the highest version (False if it is not newer) and
    take the reports that waited for it."""
    p = cmd.snapshot
    async with uow:
        known = (await uow.partners.get_many([p.id])).get(p.id)
        if not is_newer(p.version, known.version if known else None):
            return False
        await uow.partners.put(p)
        parked = await uow.parking.take_awaiting(Awaited.PARTNER, p.id)
        progress = await uow.commitments.get_many(
            {w.report.commitment_id for w in parked},
            {(w.report.commitment_id, w.report.period) for w in parked},
        )
        await _release(uow, parked, {p.id: p}, progress, clock(), policy)
        await uow.commit()
    return True


async def record_partnership(cmd: commands.RecordPartnership, uow: UnitOfWork) -> None:
    async with uow:
        await uow.partners.put_partnership(cmd.snapshot)
        await uow.commit()


async def record_commitment(
    cmd: commands.RecordCommitment, uow: UnitOfWork, clock: Clock, policy: Policy
) -> bool:
    """Keep the highest version; take the reports that waited for it; evaluate it again."""
    c = cmd.snapshot
    async with uow:
        known = (await uow.commitments.get_many([c.id], every_period=True)).get(c.id)
        if not is_newer(c.version, known.commitment.version if known else None):
            return False
        if known is None:
            progress = CommitmentProgress.new(c)
        else:
            progress = known
            inline = known.journaled is None  # else the keeper works out what the views had
            progress.redefine(
                c,
                contribution(known),
                buckets.contribution(known) if inline else None,
                years.contribution(known) if inline else None,
            )
        parked = await uow.parking.take_awaiting(Awaited.COMMITMENT, c.id)
        partners = await uow.partners.get_many({w.report.partner_id for w in parked})
        await _release(uow, parked, partners, {c.id: progress}, clock(), policy, c.id)
        await uow.commit()
    return True


async def _release(
    uow: UnitOfWork,
    parked: list[ParkedReport],
    partners: Mapping[str, Partner],
    progress: Mapping[str, CommitmentProgress],
    now: datetime,
    policy: Policy,
    changed: str | None = None,
) -> None:
    """Decide reports that waited (those still waiting go back, keeping their expiry), then
    evaluate the commitments they changed (and `changed`)."""
    intake = Intake(
        partners=partners,
        progress=progress,
        now=now,
        verify=policy.verify,
        signatures_required=policy.signatures_required,
    )
    for waiting in parked:
        intake.decide(waiting.report, waiting)
    await uow.parking.park(intake.parked)
    await _reject(uow, intake.rejected)
    await uow.learners.merge(additions(intake.with_learners))
    ids = intake.touched | ({changed} if changed else set())
    await settle_commitments(uow, [progress[i] for i in sorted(ids)], now, policy.alerts)


async def record_partnership_target(
    cmd: commands.RecordPartnershipTarget, uow: UnitOfWork, clock: Clock, policy: Policy
) -> bool:
    t = cmd.snapshot
    async with uow:
        known = await uow.targets.get(t.id)
        if not is_newer(t.version, known.target.version if known else None):
            return False
        await settle_targets(uow, [TargetProgress(t)], clock(), policy.alerts)
        await uow.commit()
    return True


@dataclass
class Swept:
    expired: int = 0
    commitments: int = 0
    targets: int = 0

    @property
    def done(self) -> bool:
        return not (self.expired or self.commitments or self.targets)


async def sweep(cmd: commands.Sweep, uow: UnitOfWork, clock: Clock, policy: Policy) -> Swept:
    """One bounded step of the clock-driven work; call again until `done`."""
    swept = Swept()
    async with uow:
        now = clock()
        waited = await uow.parking.take_expired(now, cmd.limit)
        await _reject(uow, [expired(p, now) for p in waited])
        due = await uow.commitments.due_for_evaluation(now.date(), cmd.limit, cmd.held)
        await settle_commitments(uow, due, now, policy.alerts)
        # beside others, every due target (a few) read: their own come first in no order
        read = cmd.limit if cmd.held.everything else EVERY_TARGET
        due_targets = await uow.targets.due_for_evaluation(now.date(), read)
        targets = [t for t in due_targets if cmd.held.owns(t.id)][: cmd.limit]
        await settle_targets(uow, targets, now, policy.alerts)
        held = await settle_held(uow, now, cmd.limit, policy.alerts, cmd.held)
        await uow.commit()
    swept.expired, swept.commitments, swept.targets = len(waited), len(due) + held, len(targets)
    return swept


#: more partnership targets than the Pact will ever set (one transaction evaluates them)
EVERY_TARGET = 10_000


async def settle_owned_targets(
    cmd: commands.SettleOwnedTargets, uow: UnitOfWork, clock: Clock, policy: Policy
) -> int:
    """Evaluate again the partnership targets this instance owns: every instance's batches
    move their sums, and after a batch only the owner evaluates them. Returns how many."""
    now = clock()
    async with uow:
        # every target: each was last evaluated today or before
        every = await uow.targets.due_for_evaluation(now.date() + timedelta(days=1), EVERY_TARGET)
        owned = [t for t in every if cmd.held.owns(t.id)]
        await settle_targets(uow, owned, now, policy.alerts)
        await uow.commit()
    return len(owned)
