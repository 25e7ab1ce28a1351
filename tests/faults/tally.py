"""What a fault cost, counted against the ground truth (world.Truth) before anything is
asserted: reports lost, people double-counted, alerts missing or repeated, webhooks missing
or resent. The recovery campaign prints these figures, then asserts they are zero, so a
loss shows as a number rather than as a failed comparison."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .world import Truth


@dataclass
class Observed:
    """What monitoring shows, read from its database."""

    periods: dict[str, dict[str, tuple[int, int]]]  # commitment -> period -> (revision, people)
    totals: dict[str, int]
    rollups: dict[str, int]
    receipts: set[str]
    stale: int


@dataclass(frozen=True)
class Projections:
    #: reports sent whose event_id monitoring never took (no receipt)
    never_taken: int
    #: (commitment, period) shown at an older revision than the truth's, or not at all
    behind: int
    #: reports whose figures monitoring does not show: the two above, counted once each
    lost: int
    #: people the commitments' totals are short of the truth
    people_short: int
    #: people the commitments' totals count beyond the truth
    double_counted: int
    #: (commitment, period) shown with figures no report of that revision had, or a
    #: revision never sent
    wrong: int
    #: people the partner and partnership roll-ups are off the truth (either way)
    rollups_off: int
    applied: int
    stale: int

    @property
    def exact(self) -> bool:
        return not (self.lost or self.double_counted or self.wrong or self.rollups_off)


def projections(truth: Truth, seen: Observed, rollups: Mapping[str, int]) -> Projections:
    never_taken = truth.distinct - seen.receipts
    lost = set(never_taken)
    behind = wrong = short = over = 0
    for commitment, periods in truth.periods.items():
        shown = seen.periods.get(commitment, {})
        for period, (revision, people) in periods.items():
            got = shown.get(period)
            if got is None or got[0] < revision:
                behind += 1
                lost.add(truth.effective[commitment, period])
            elif got != (revision, people):
                wrong += 1
        wrong += len(set(shown) - set(periods))
        difference = seen.totals.get(commitment, 0) - truth.total(commitment)
        short += max(0, -difference)
        over += max(0, difference)
    keys = set(rollups) | {k for k, v in seen.rollups.items() if v}
    return Projections(
        never_taken=len(never_taken),
        behind=behind,
        lost=len(lost),
        people_short=short,
        double_counted=over,
        wrong=wrong,
        rollups_off=sum(abs(seen.rollups.get(k, 0) - rollups.get(k, 0)) for k in keys),
        applied=len(seen.receipts) - seen.stale,
        stale=seen.stale,
    )


FIRED, RESOLVED = "AlertFired", "AlertResolved"
Transition = tuple[str, str]  # (event type, fingerprint)


@dataclass(frozen=True)
class Alerts:
    """AlertFired and AlertResolved events on monitoring.alerts.v1 against the transitions
    that must have happened, each once: one event_id per (type, fingerprint, episode 1)."""

    expected: int
    #: transitions that must have happened, by event type
    wanted: Counter[str]
    missing: set[Transition]
    unexpected: set[Transition]
    #: (type, fingerprint, episode) published under more than one event_id, or in another
    #: episode
    twice: list[tuple[str, str, int]]
    #: the same event published again (same event_id: consumers ignore it)
    repeats: int
    event_ids: dict[Transition, str] = field(default_factory=dict)

    @property
    def exact(self) -> bool:
        return not (self.missing or self.unexpected or self.twice)

    def happened(self, event_type: str) -> int:
        return self.wanted[event_type] - sum(1 for t, _ in self.missing if t == event_type)

    def by_rule(self) -> str:
        """'MilestoneMissed 14/14, ...': per rule, alerts fired / resolved as they should."""
        fired: Counter[str] = Counter()
        resolved: Counter[str] = Counter()
        for (event_type, fingerprint), _ in self.event_ids.items():
            if (event_type, fingerprint) not in self.unexpected:
                (fired if event_type == FIRED else resolved)[fingerprint.split(":")[0]] += 1
        rules = sorted(set(fired) | set(resolved))
        return ", ".join(f"{r} {fired[r]}/{resolved[r]}" for r in rules)


def alerts(
    fired: Iterable[str], events: list[dict[str, Any]], resolved: Iterable[str] = ()
) -> Alerts:
    wanted = {(FIRED, f) for f in fired} | {(RESOLVED, f) for f in resolved}
    ids: dict[tuple[str, str, int], set[str]] = defaultdict(set)
    others: set[Transition] = set()
    for e in events:
        if e.get("event_type") in (FIRED, RESOLVED):
            ids[e["event_type"], e["fingerprint"], e["episode"]].add(e["event_id"])
        else:
            others.add((str(e.get("event_type")), str(e.get("fingerprint"))))
    seen = {(t, f) for t, f, _ in ids}
    twice = sorted(k for k, v in ids.items() if len(v) > 1 or k[2] != 1)
    return Alerts(
        expected=len(wanted),
        wanted=Counter(t for t, _ in wanted),
        missing=wanted - seen,
        unexpected=(seen - wanted) | others,
        twice=twice,
        repeats=len(events) - len(others) - sum(len(v) for v in ids.values()),
        event_ids={(t, f): min(v) for (t, f, _), v in ids.items()},
    )


@dataclass(frozen=True)
class Webhooks:
    """Deliveries received against those due: one webhook-id per alert and
    receiver, to the receiver's path, carrying the alert's event_id."""

    expected: int
    missing: set[str]
    unexpected: set[str]
    #: delivery ids that reached another path or carried another event_id
    misdirected: set[str]
    #: the same delivery received again (a resend after an unanswered try)
    resent: int

    @property
    def exact(self) -> bool:
        return not (self.missing or self.unexpected or self.misdirected)


def webhooks(
    expected: Mapping[str, tuple[str, str]],  # delivery id -> (path, event_id)
    received: Iterable[tuple[str, str, str]],  # (delivery id, path, event_id)
) -> Webhooks:
    got: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for delivery_id, path, event_id in received:
        got[delivery_id].append((path, event_id))
    return Webhooks(
        expected=len(expected),
        missing=set(expected) - set(got),
        unexpected=set(got) - set(expected),
        misdirected={d for d, each in got.items() if d in expected and set(each) != {expected[d]}},
        resent=sum(len(each) - 1 for each in got.values()),
    )
