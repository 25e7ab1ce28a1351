"""The secretariat's correction of a period: a forged revision can be undone, roll-ups
follow, what it replaced is kept, and a period it does not allow is refused by its rule."""

from __future__ import annotations

import pytest

from monitoring.core.domain import commands
from monitoring.core.domain.corrections import Correction
from monitoring.core.domain.errors import CommitmentNotFound
from monitoring.core.domain.figures import Figures
from monitoring.core.service_layer import handlers
from monitoring.core.service_layer.corrections import correct_period
from pact_common.errors import DomainError

from .builders import NOW, commitment, partner, report
from .fakes import FakeUnitOfWork
from .test_handlers import POLICY, Clock


def correction(period: str = "2025-Q1", revision: int = 2, people: int | None = 40) -> Correction:
    figures = Figures(people_trained=people) if people is not None else None
    return Correction(
        "k-1", "c-cloud", period, revision, figures, "forged from a shared login", "admin", NOW
    )


@pytest.fixture
async def uow() -> FakeUnitOfWork:
    uow, clock = FakeUnitOfWork(), Clock()
    await handlers.record_partner(commands.RecordPartner(partner()), uow, clock, POLICY)
    await handlers.record_commitment(commands.RecordCommitment(commitment()), uow, clock, POLICY)
    forged = report("2025-Q1", 0, revision=1_000_000)
    cmd = commands.TakeReports([report("2025-Q2", 100), forged])
    await handlers.take_reports(cmd, uow, clock, POLICY)
    return uow


async def test_a_forged_revision_is_undone_and_the_partner_reports_again(
    uow: FakeUnitOfWork,
) -> None:
    s = uow.store
    assert s.commitments["c-cloud"].revision_of("2025-Q1") == 1_000_000
    done = await correct_period(commands.CorrectPeriod(correction()), uow, POLICY)
    assert done.before is not None and done.before.revision == 1_000_000
    assert s.corrections["k-1"] == done
    assert s.commitments["c-cloud"].achieved == 140
    assert s.rollups["partner:p-acme"].people_trained == 140
    later = commands.TakeReports([report("2025-Q1", 70, revision=3)])
    await handlers.take_reports(later, uow, Clock(), POLICY)
    assert s.commitments["c-cloud"].achieved == 170


async def test_a_cleared_period_is_as_if_never_reported(uow: FakeUnitOfWork) -> None:
    await correct_period(commands.CorrectPeriod(correction(revision=0, people=None)), uow, POLICY)
    s = uow.store
    assert "2025-Q1" not in s.commitments["c-cloud"].periods
    assert s.commitments["c-cloud"].achieved == 100
    again = commands.TakeReports([report("2025-Q1", 5, revision=1)])
    await handlers.take_reports(again, uow, Clock(), POLICY)
    assert s.commitments["c-cloud"].achieved == 105


async def test_what_a_report_could_not_name_a_correction_cannot_either(
    uow: FakeUnitOfWork,
) -> None:
    with pytest.raises(DomainError) as refused:
        await correct_period(commands.CorrectPeriod(correction("2031-Q1")), uow, POLICY)
    assert (refused.value.field, refused.value.code) == ("period", "reported_after_deadline")
    with pytest.raises(DomainError) as refused:
        await correct_period(commands.CorrectPeriod(correction("2025-03")), uow, POLICY)
    assert refused.value.code == "period_cadence_mismatch"
    unknown = Correction("k-2", "c-nope", "2025-Q1", 1, None, "why", "admin", NOW)
    with pytest.raises(CommitmentNotFound):
        await correct_period(commands.CorrectPeriod(unknown), uow, POLICY)
    assert uow.store.corrections == {}
    assert uow.store.commitments["c-cloud"].revision_of("2025-Q1") == 1_000_000
