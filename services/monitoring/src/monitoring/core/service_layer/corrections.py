"""The secretariat corrects one period of a commitment (domain/corrections.py): the period
takes the figures and revision it is given, or is cleared; the roll-ups and alerts follow,
and the correction is kept with what it replaced."""

from __future__ import annotations

from dataclasses import replace

from monitoring.core.domain import commands
from monitoring.core.domain.acceptance import Refusal, check_period
from monitoring.core.domain.corrections import Correction
from monitoring.core.domain.errors import CommitmentNotFound
from monitoring.core.domain.periods import InvalidPeriod, Period
from monitoring.core.service_layer.evaluation import settle_commitments
from monitoring.core.service_layer.handlers import Policy
from monitoring.core.service_layer.unit_of_work import UnitOfWork
from pact_common.errors import DomainError


async def correct_period(
    cmd: commands.CorrectPeriod, uow: UnitOfWork, policy: Policy
) -> Correction:
    c = cmd.correction
    async with uow:
        found = await uow.commitments.get_many({c.commitment_id}, {(c.commitment_id, c.period)})
        progress = found.get(c.commitment_id)
        if progress is None:
            raise CommitmentNotFound(f"commitment {c.commitment_id} is not known to monitoring")
        try:
            period = Period.parse(c.period)
        except InvalidPeriod as exc:
            raise DomainError(f"period: {exc}", field="period") from exc
        verdict = check_period(period, progress.commitment, c.at.date())
        if isinstance(verdict, Refusal):
            raise DomainError(verdict.message, field="period", code=verdict.reason.value)
        replaced = progress.correct(c.period, c.revision, c.figures, c.event_id, c.at)
        done = replace(c, before=replaced)
        await uow.corrections.add(done)
        await settle_commitments(uow, [progress], c.at, policy.alerts)
        await uow.commit()
    return done
