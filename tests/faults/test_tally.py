"""The fault campaign's figures can show a loss: a report monitoring never took, a figure it
applied twice, an alert or a webhook missing or doubled each come out as a number (pure:
a small World and what monitoring would show, made by hand)."""

from __future__ import annotations

from datetime import date

from . import tally
from .world import Truth, World

TODAY = date(2026, 1, 1)


def shown_as(truth: Truth) -> tally.Observed:
    """What monitoring shows when it has taken every report exactly once."""
    return tally.Observed(
        periods={c: dict(periods) for c, periods in truth.periods.items()},
        totals={c: truth.total(c) for c in truth.periods},
        rollups={},
        receipts=set(truth.distinct),
        stale=truth.kinds["stale"],
    )


def world_and_truth() -> tuple[World, Truth]:
    world = World(TODAY, commitments=5, partners=2, reports=60)
    return world, world.truth(len(world.rounds))


def test_nothing_lost_nothing_doubled_when_monitoring_shows_the_truth() -> None:
    _, truth = world_and_truth()
    p = tally.projections(truth, shown_as(truth), {})
    assert (p.lost, p.double_counted, p.wrong, p.rollups_off) == (0, 0, 0, 0)
    assert p.exact and p.applied == truth.kinds["applied"] + truth.kinds["replaced"]


def test_a_report_never_taken_is_counted_lost() -> None:
    _, truth = world_and_truth()
    seen = shown_as(truth)
    (commitment, period), event_id = next(iter(truth.effective.items()))
    people = truth.periods[commitment][period][1]
    seen.receipts.discard(event_id)
    del seen.periods[commitment][period]
    seen.totals[commitment] -= people
    p = tally.projections(truth, seen, {})
    assert (p.lost, p.never_taken, p.behind, p.people_short) == (1, 1, 1, people)
    assert p.double_counted == 0 and not p.exact


def test_a_report_taken_but_whose_figures_are_missing_is_counted_lost() -> None:
    _, truth = world_and_truth()
    seen = shown_as(truth)
    commitment, periods = next((c, p) for c, p in truth.periods.items() if p)
    period, (revision, people) = next(iter(periods.items()))
    seen.periods[commitment][period] = (revision - 1, people)  # an older revision shown
    p = tally.projections(truth, seen, {})
    assert (p.lost, p.never_taken, p.behind) == (1, 0, 1)


def test_a_report_applied_twice_is_counted_double() -> None:
    _, truth = world_and_truth()
    seen = shown_as(truth)
    commitment = next(c for c, periods in truth.periods.items() if periods)
    seen.totals[commitment] += 37
    seen.rollups = {"partner:p-00": 37}
    p = tally.projections(truth, seen, {})
    assert (p.lost, p.double_counted, p.rollups_off) == (0, 37, 37)
    assert not p.exact


def _event(event_type: str, fingerprint: str, event_id: str, episode: int = 1) -> dict[str, object]:
    return {
        "event_type": event_type,
        "fingerprint": fingerprint,
        "episode": episode,
        "event_id": event_id,
    }


def test_alerts_missing_unexpected_and_published_twice_are_counted() -> None:
    def fired(fingerprint: str, event_id: str) -> dict[str, object]:
        return _event("AlertFired", fingerprint, event_id)

    events = [fired("a", "1"), fired("a", "1"), fired("b", "2"), fired("b", "3"), fired("x", "4")]
    a = tally.alerts({"a", "b", "c"}, events)
    assert (a.missing, a.unexpected, a.repeats) == (
        {("AlertFired", "c")},
        {("AlertFired", "x")},
        1,
    )
    assert a.twice == [("AlertFired", "b", 1)]
    assert (a.expected, a.happened("AlertFired")) == (3, 2)
    assert not a.exact
    assert tally.alerts({"a"}, [fired("a", "1"), fired("a", "1")]).exact


def test_resolutions_missing_unexpected_and_in_a_second_episode_are_counted() -> None:
    events = [
        _event("AlertFired", "a", "1"),
        _event("AlertResolved", "a", "2"),
        _event("AlertFired", "b", "3"),
        _event("AlertResolved", "b", "4"),  # b must still hold
        _event("AlertFired", "c", "5"),
        _event("AlertResolved", "c", "6"),
        _event("AlertFired", "c", "7", episode=2),  # fired again
    ]
    a = tally.alerts({"a", "b", "c"}, events, resolved={"a", "c", "d"})
    assert a.missing == {("AlertResolved", "d")}
    assert a.unexpected == {("AlertResolved", "b")}
    assert a.twice == [("AlertFired", "c", 2)]
    assert (a.happened("AlertFired"), a.happened("AlertResolved")) == (3, 2)
    assert a.by_rule() == "a 1/1, b 1/0, c 1/1"  # b fired as it should; its resolution not
    assert not a.exact
    good = tally.alerts({"a"}, events[:2], resolved={"a"})
    assert good.exact and good.event_ids == {("AlertFired", "a"): "1", ("AlertResolved", "a"): "2"}


def test_webhooks_missing_resent_and_misdirected_are_counted() -> None:
    expected = {"d1": ("/secretariat", "e1"), "d2": ("/partners/p", "e1"), "d3": ("/s", "e2")}
    received = [
        ("d1", "/secretariat", "e1"),
        ("d1", "/secretariat", "e1"),  # a resend
        ("d2", "/secretariat", "e1"),  # the wrong receiver
        ("d9", "/secretariat", "e9"),
    ]
    w = tally.webhooks(expected, received)
    assert (w.missing, w.unexpected, w.misdirected, w.resent) == ({"d3"}, {"d9"}, {"d2"}, 1)
    assert not w.exact
