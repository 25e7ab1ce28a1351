"""A partnership target split into cells, and the secretariat's call for pledges for some of
them (issue 17): what is stored and what is refused."""

from __future__ import annotations

from datetime import date

import pytest

from commitments.adapters.publisher import to_contract
from commitments.domain import commands
from commitments.domain.cells import Cell
from commitments.domain.errors import NotAllowed, RuleBroken, TargetNotFound
from commitments.service_layer import handlers
from tests.unit.commitments.fakes import PARTNER, SECRETARIAT, FakeUnitOfWork, Store, clock

RO_ADVANCED = Cell("advanced", "RO", None, 4000)
DE = Cell(None, "DE", None, 6000)


def split_target(*cells: Cell) -> commands.SetPartnershipTarget:
    return commands.SetPartnershipTarget(
        SECRETARIAT,
        "digital-ecosystem",
        "10,000 by 2030",
        10_000,
        date(2025, 1, 1),
        date(2030, 12, 31),
        cells=cells,
    )


async def test_a_split_target_keeps_and_publishes_its_cells() -> None:
    store = Store()
    target = await handlers.set_partnership_target(
        split_target(RO_ADVANCED, DE), FakeUnitOfWork(store), clock
    )
    assert store.targets[target.id].cells == (RO_ADVANCED, DE)
    event = to_contract(store.published[0])
    assert [c.model_dump() for c in event.target.cells] == [  # type: ignore[attr-defined]
        {"level": "advanced", "country": "RO", "gender": None, "value": 4000},
        {"level": None, "country": "DE", "gender": None, "value": 6000},
    ]
    unsplit = await handlers.set_partnership_target(split_target(), FakeUnitOfWork(store), clock)
    assert to_contract(store.published[1]).target.cells is None  # type: ignore[attr-defined]
    assert store.targets[unsplit.id].cells == ()


@pytest.mark.parametrize(
    ("cells", "rule"),
    [
        ((Cell(None, None, None, 5),), "cell_without_scope"),
        ((DE, Cell(None, "DE", None, 7)), "duplicate_cell"),
    ],
)
async def test_cells_that_say_nothing_or_twice_are_refused(
    cells: tuple[Cell, ...], rule: str
) -> None:
    with pytest.raises(RuleBroken) as refused:
        await handlers.set_partnership_target(split_target(*cells), FakeUnitOfWork(), clock)
    assert refused.value.code == rule


async def test_the_secretariat_calls_for_pledges_for_cells_of_the_target() -> None:
    store = Store()
    target = await handlers.set_partnership_target(
        split_target(RO_ADVANCED, DE), FakeUnitOfWork(store), clock
    )

    def call(*cells: Cell, actor: object = SECRETARIAT) -> commands.CallForPledges:
        return commands.CallForPledges(actor, target.id, cells, "Who trains in Romania?")  # type: ignore[arg-type]

    made = await handlers.call_for_pledges(call(RO_ADVANCED), FakeUnitOfWork(store), clock)
    assert store.calls[made.id].cells == (RO_ADVANCED,)
    assert (made.target_id, made.title, made.metric) == (
        target.id,
        "10,000 by 2030",
        "people_trained",
    )
    for cells, rule in (
        ((Cell("basic", "RO", None, 10),), "not_a_cell_of_the_target"),
        ((Cell(None, "DE", None, 6001),), "above_the_cell"),
        ((), "required"),
    ):
        with pytest.raises(RuleBroken) as refused:
            await handlers.call_for_pledges(call(*cells), FakeUnitOfWork(store), clock)
        assert refused.value.code == rule
    with pytest.raises(NotAllowed):
        await handlers.call_for_pledges(call(DE, actor=PARTNER), FakeUnitOfWork(store), clock)
    with pytest.raises(TargetNotFound):
        await handlers.call_for_pledges(
            commands.CallForPledges(SECRETARIAT, "t-none", (DE,), "Anyone?"),
            FakeUnitOfWork(store),
            clock,
        )
    unsplit = await handlers.set_partnership_target(split_target(), FakeUnitOfWork(store), clock)
    with pytest.raises(RuleBroken) as refused:
        await handlers.call_for_pledges(
            commands.CallForPledges(SECRETARIAT, unsplit.id, (DE,), "Anyone?"),
            FakeUnitOfWork(store),
            clock,
        )
    assert refused.value.code == "target_not_split"
    assert len(store.calls) == 1
