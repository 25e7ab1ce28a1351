"""A milestone reached, its achievement notified and no missed alert of it firing is settled:
while it stays reached, a batch leaves its two conditions out (evaluation.settled), so a
commitment of many years does not weigh every past milestone at every report. Leaving them
out changes nothing a partner sees: the same alerts fire, resolve and are notified, in the
same episodes, as when every milestone is evaluated, also while a missed alert's resolve is
held (its milestone is settled while the hold waits, weighed again once it has ended, to
resolve the alert); and a revision that takes a settled milestone out of reach fires its
missed alert again."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from monitoring.core.domain import commands
from monitoring.core.domain.conditions import AlertConfig, Condition, Rule
from monitoring.core.domain.events import AlertFired, AlertResolved
from monitoring.core.domain.model import Milestone
from monitoring.core.service_layer import evaluation, handlers

from . import fakes
from .builders import commitment, partner, report
from .test_handlers import Clock

YEARS = (2021, 2022, 2023, 2024, 2025)
MISSED = "MilestoneMissed:commitment:c-cloud:{}-12-31"


def five_years() -> Any:
    return commitment(
        start_date=date(2021, 1, 1),
        milestones=tuple(Milestone(date(y, 12, 31), 1000 * (i + 1)) for i, y in enumerate(YEARS)),
    )


async def play(
    monkeypatch: pytest.MonkeyPatch, leave_out: bool, hold: timedelta = timedelta(0)
) -> dict[str, Any]:
    """Pledged in 2026 with five milestones past (all missed), then reported past them
    all, then a report that changes nothing of them (within `hold`, the missed alerts'
    resolves still held), then one once the hold has ended, then a revision taking the last
    three out of reach. Returns what was published at each step, the stored alerts and the
    milestones evaluated at each step."""
    policy = handlers.Policy(alerts=AlertConfig(min_firing=hold))
    if not leave_out:
        monkeypatch.setattr(evaluation, "settled", lambda p, subject, waiting: set())
    evaluated: list[str] = []  # the milestones whose conditions the rules weighed
    real = evaluation.evaluate_commitment

    def counted(*args: Any, **kw: Any) -> list[Condition]:
        conditions = real(*args, **kw)
        evaluated.extend(str(c.key) for c in conditions if c.rule is Rule.MILESTONE_ACHIEVED)
        return conditions

    monkeypatch.setattr(evaluation, "evaluate_commitment", counted)
    uow, clock = fakes.FakeUnitOfWork(), Clock()
    await handlers.record_partner(commands.RecordPartner(partner()), uow, clock, policy)
    await handlers.record_commitment(commands.RecordCommitment(five_years()), uow, clock, policy)
    steps: dict[str, Any] = {}
    for step, sent, wait in (
        ("reached", report("2021-Q1", 6000), timedelta(minutes=1)),
        ("nothing new", report("2021-Q2", 10), timedelta(minutes=1)),
        ("hold ended", report("2021-Q3", 10), hold),
        ("revised down", report("2021-Q1", 2500, revision=2), timedelta(minutes=1)),
    ):
        evaluated.clear()
        before = len(uow.store.published)
        clock.advance(seconds=wait.total_seconds())
        await handlers.take_reports(commands.TakeReports([sent]), uow, clock, policy)
        steps[step] = {
            "published": [
                (type(e).__name__, e.alert.fingerprint, e.alert.episode, e.alert.status.value)
                for e in uow.store.published[before:]
                if isinstance(e, AlertFired | AlertResolved)
            ],
            "evaluated": sorted(set(evaluated)),
        }
    steps["alerts"] = sorted(
        (a.fingerprint, a.status.value, a.episode, a.actual) for a in uow.store.alerts.values()
    )
    steps["on track"] = uow.store.commitments["c-cloud"].on_track
    return steps


async def test_settled_milestones_are_left_out_and_nothing_a_partner_sees_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    every = await play(monkeypatch, leave_out=False)
    monkeypatch.undo()
    left_out = await play(monkeypatch, leave_out=True)
    for step in ("reached", "nothing new", "revised down"):
        print(f"\n{step}: milestones evaluated {left_out[step]['evaluated']} "
              f"(every one: {every[step]['evaluated']})")  # fmt: skip
    assert every["nothing new"]["evaluated"] == [f"{y}-12-31" for y in YEARS]
    assert left_out["nothing new"]["evaluated"] == []  # all five settled
    # the revision leaves 2,510 reached: 2021 and 2022 stay settled, the others are weighed
    assert left_out["revised down"]["evaluated"] == ["2023-12-31", "2024-12-31", "2025-12-31"]

    for step in ("reached", "nothing new", "hold ended", "revised down"):
        assert left_out[step]["published"] == every[step]["published"], step
    assert left_out["alerts"] == every["alerts"]
    assert left_out["on track"] is every["on track"] is False  # three milestones missed
    fired_again = [
        (fp, episode)
        for kind, fp, episode, _ in left_out["revised down"]["published"]
        if kind == "AlertFired" and fp.startswith("MilestoneMissed")
    ]
    assert fired_again == [(MISSED.format(y), 2) for y in (2023, 2024, 2025)]
    assert left_out["nothing new"]["published"] == []


async def test_a_milestone_whose_missed_alert_is_held_is_weighed_until_it_resolves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hold = timedelta(minutes=5)
    every = await play(monkeypatch, leave_out=False, hold=hold)
    monkeypatch.undo()
    left_out = await play(monkeypatch, leave_out=True, hold=hold)
    for step in ("reached", "nothing new", "hold ended", "revised down"):
        print(f"\n{step}: milestones evaluated {left_out[step]['evaluated']}; published "
              f"{left_out[step]['published']}")  # fmt: skip
        assert left_out[step]["published"] == every[step]["published"], step
    assert left_out["alerts"] == every["alerts"]
    years = [f"{y}-12-31" for y in YEARS]
    assert every["nothing new"]["evaluated"] == years
    # reached, the missed alerts' resolves held and still waiting: settled, left out, and
    # not read (a read would resolve them as gone, before their hold ends)
    assert left_out["nothing new"]["evaluated"] == []
    assert left_out["nothing new"]["published"] == []  # still held: nothing resolves yet
    assert left_out["hold ended"]["evaluated"] == years  # weighed again, to resolve them
    resolved = [fp for kind, fp, _, _ in left_out["hold ended"]["published"]
                if kind == "AlertResolved" and fp.startswith("MilestoneMissed")]  # fmt: skip
    assert resolved == [MISSED.format(y) for y in YEARS]  # resolved once the hold ended
    assert left_out["revised down"]["evaluated"] == years[2:]  # settled since: left out
