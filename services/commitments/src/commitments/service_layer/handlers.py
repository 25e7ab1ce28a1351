"""One small function per command: open the unit of work, load, call the domain, commit.

The HTTP handlers retry on a write conflict or a snapshot behind (`retry_transient`). The
handlers of other services' events run inside the consumer's transaction, which the
consumer retries as a whole, so they do not retry themselves."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from pact_common.clock import Clock
from pact_common.unit_of_work import SnapshotBehind, retry_transient

from ..domain import commands
from ..domain.cells import CallForPledges
from ..domain.errors import CommitmentNotFound, RuleBroken, TargetNotFound
from ..domain.model import OPEN, Commitment, PartnershipTarget
from .unit_of_work import UnitOfWork


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(6)}"


async def _change(
    uow: UnitOfWork, commitment_id: str, change: Callable[[Commitment], None]
) -> Commitment:
    """Load the commitment, make one change (which raises if it may not), store it."""
    async with uow:
        commitment = await uow.commitments.get(commitment_id)
        if commitment is None:
            raise CommitmentNotFound(commitment_id)
        change(commitment)
        await uow.commitments.save(commitment)
        await uow.commit()
    return commitment


@retry_transient
async def pledge_commitment(
    cmd: commands.PledgeCommitment, uow: UnitOfWork, clock: Clock
) -> Commitment:
    async with uow:
        partner = await uow.partners.get(cmd.partner_id)
        terms = cmd.terms()
        try:
            commitment = Commitment.pledge(
                new_id("c"), terms, partner=partner, actor=cmd.actor, at=clock()
            )
        except RuleBroken:
            # refused on what this snapshot knows of the partner: not if others see it newer
            known = partner.version if partner is not None else None
            if await uow.partners.newer_by_now(cmd.partner_id, known):
                raise SnapshotBehind(f"partner {cmd.partner_id}") from None
            raise
        await uow.partners.hold(cmd.partner_id)
        await uow.commitments.add(commitment)
        await uow.commit()
    return commitment


@retry_transient
async def amend_commitment(
    cmd: commands.AmendCommitment, uow: UnitOfWork, clock: Clock
) -> Commitment:
    return await _change(
        uow, cmd.commitment_id, lambda c: c.amend(cmd.amendment, actor=cmd.actor, at=clock())
    )


@retry_transient
async def withdraw_commitment(
    cmd: commands.WithdrawCommitment, uow: UnitOfWork, clock: Clock
) -> Commitment:
    return await _change(
        uow, cmd.commitment_id, lambda c: c.withdraw(cmd.reason, actor=cmd.actor, at=clock())
    )


@retry_transient
async def set_partnership_target(
    cmd: commands.SetPartnershipTarget, uow: UnitOfWork, clock: Clock
) -> PartnershipTarget:
    async with uow:
        target = PartnershipTarget.set(
            new_id("t"),
            cmd.title,
            cmd.target(),
            partnership=await uow.partnerships.get(cmd.partnership_id),
            partnership_id=cmd.partnership_id,
            actor=cmd.actor,
            at=clock(),
            cells=cmd.cells,
        )
        await uow.targets.add(target)
        await uow.commit()
    return target


@retry_transient
async def call_for_pledges(
    cmd: commands.CallForPledges, uow: UnitOfWork, clock: Clock
) -> CallForPledges:
    async with uow:
        target = await uow.targets.get(cmd.target_id)
        if target is None:
            raise TargetNotFound(cmd.target_id)
        call = target.call_for_pledges(
            new_id("call"), cmd.cells, cmd.message, actor=cmd.actor, at=clock()
        )
        await uow.calls.add(call)
        await uow.commit()
    return call


async def record_partner(cmd: commands.RecordPartner, uow: UnitOfWork) -> int:
    """Keep the newest partner snapshot; when the partner's status changes, its commitments
    follow. Returns how many commitments changed."""
    changed = 0
    async with uow:
        before = await uow.partners.get(cmd.partner.partner_id)
        if not cmd.partner.supersedes(before):
            return 0  # a duplicate, or older than what we know
        await uow.partners.put(cmd.partner)
        if cmd.partner.changes_status_of(before):
            for commitment in await uow.commitments.of_partner(cmd.partner.partner_id, OPEN):
                if commitment.follow_partner(cmd.partner.status, cmd.cause):
                    await uow.commitments.save(commitment)
                    changed += 1
        await uow.commit()
    return changed


async def record_partnership(cmd: commands.RecordPartnership, uow: UnitOfWork) -> None:
    async with uow:
        await uow.partnerships.put(cmd.partnership)
        await uow.commit()


async def record_target_outcome(cmd: commands.RecordTargetOutcome, uow: UnitOfWork) -> bool:
    """Monitoring's verdict on a commitment's target. True when the status changed."""
    async with uow:
        commitment = await uow.commitments.get(cmd.commitment_id)
        if commitment is None:
            return False  # not one of ours (or long gone): nothing to record
        if cmd.achieved:
            changed = commitment.mark_achieved(cmd.cause)
        else:
            changed = commitment.mark_missed(cmd.cause)
        if changed:
            await uow.commitments.save(commitment)
            await uow.commit()
    return changed
