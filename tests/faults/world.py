"""The ground truth of the recovery tests (pure): partnerships, partners and commitments as
their services' contract events, and a stream of progress reports over them, with
corrections, stale revisions and duplicates, cut into rounds of one report per commitment.
It says what monitoring must show after any number of rounds: per (commitment, period) the
figures of the highest revision sent, and which alerts have fired.

Dates follow today (the service runs on the real clock). Most commitments' windows began a
few months ago and run five years, with a year of reporting grace and their milestone more
than a year ahead, so no rule that depends on the date can fire for them. The commitments
of partnerships A and B are only ever corrected upwards, so their progress never decreases
and their alerts are the thresholds reached (MilestoneAchieved and TargetAchieved); those
of C and D are corrected both ways, with thresholds no one reaches. Some of A and B are
dated (dated.py) so that every date rule fires at once and resolves as reports come in, and
some of D report one month that their last report sets to 0: their achievements, which are
informational, stay fired and do not fire again. Each alert fires at most once and resolves
at most once, whatever the batches monitoring takes the reports in (each rule's stretch is
checked: dated.single_episode).
"""

from __future__ import annotations

import itertools
import operator
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from pact_contracts import (
    CommitmentPledged,
    CommitmentSnapshot,
    Event,
    Milestone,
    PartnerApproved,
    PartnershipCreated,
    PartnershipTarget,
    PartnershipTargetSet,
    PartnerSnapshot,
    ProgressReported,
)
from tests.support.examples import COMMITMENT, PARTNER

from .dated import (
    DROP,
    LATE,
    PLAIN,
    RUNNING,
    Rules,
    dated,
    informational,
    month_start,
    months,
    single_episode,
)

PARTNERSHIPS = ("pship-a", "pship-b", "pship-c", "pship-d")
MONOTONE = frozenset({"pship-a", "pship-b"})
NEVER = 10**9


@dataclass(frozen=True)
class Message:
    commitment_id: str
    event_id: str
    value: bytes
    kind: str  # first | correction | stale | duplicate
    period: str
    revision: int
    people: int
    partner_id: str = ""


@dataclass
class Plan:
    """One commitment: its definition and its reports, in the order they are sent."""

    id: str
    partner_id: str
    partnership_id: str
    monthly: bool
    start: date
    periods: list[str]
    countries: tuple[str, ...]
    messages: list[Message] = field(default_factory=list)
    milestone: int = NEVER // 10
    target: int = NEVER
    kind: str = PLAIN
    deadline: date = date.max
    grace_days: int = 365
    milestone_due: date = date.max

    @property
    def monotone(self) -> bool:
        return self.partnership_id in MONOTONE or self.kind == DROP

    def rules(self) -> Rules:
        return Rules(
            self.id, self.monthly, self.start, self.deadline, self.grace_days,
            self.milestone_due, self.milestone, self.target,
        )  # fmt: skip


@dataclass
class Truth:
    """What monitoring must show after some rounds."""

    periods: dict[str, dict[str, tuple[int, int]]]  # commitment -> period -> (revision, people)
    messages: int = 0
    distinct: set[str] = field(default_factory=set)
    kinds: Counter[str] = field(default_factory=Counter)  # applied, replaced, stale, duplicate
    #: (commitment, period) -> event_id of the report whose figures must be shown
    effective: dict[tuple[str, str], str] = field(default_factory=dict)

    def total(self, commitment_id: str) -> int:
        return sum(people for _, people in self.periods[commitment_id].values())


_month_start, _months = month_start, months


def _kind(i: int, partnership: str, monthly: bool) -> str:
    if not monthly or i % 3:
        return PLAIN
    if partnership in MONOTONE:
        return RUNNING if (i // 3) % 2 == 0 else LATE
    return DROP if partnership == "pship-d" else PLAIN


class World:
    def __init__(
        self,
        today: date,
        *,
        commitments: int = 100,
        partners: int = 10,
        reports: int = 4000,
        seed: int = 2026,
    ) -> None:
        self.today = today
        self.rng = random.Random(seed)
        self.partners = [f"p-{i:02d}" for i in range(partners)]
        self.milestone_due = today + timedelta(days=400)
        quarter_start = _month_start(today, (today.month - 1) % 3)
        self.plans: list[Plan] = []
        for i in range(commitments):
            monthly = i % 5 != 0
            start = _month_start(today, 4) if monthly else _month_start(quarter_start, 6)
            periods = (
                _months(start, 5)
                if monthly
                else [f"{d.year}-Q{(d.month - 1) // 3 + 1}" for d in _quarters(start, 3)]
            )
            partnership = PARTNERSHIPS[i % len(PARTNERSHIPS)]
            plan = Plan(
                id=f"c-{i:03d}",
                partner_id=self.partners[i % partners],
                partnership_id=partnership,
                monthly=monthly,
                start=start,
                periods=periods[:1] if _kind(i, partnership, monthly) == DROP else periods,
                countries=("DE", "FR") if i % 2 == 0 else ("IT",),
                kind=_kind(i, partnership, monthly),
                deadline=_years_later(start, 5),
                milestone_due=self.milestone_due,
            )
            if plan.kind in (RUNNING, LATE):
                d = dated(plan.kind, today)
                plan.start, plan.deadline, plan.grace_days = d.start, d.deadline, d.grace_days
                plan.milestone_due, plan.periods = d.milestone_due, d.periods
            self.plans.append(plan)
        per_commitment = reports // commitments
        for plan in self.plans:
            self._write(plan, per_commitment)
            if plan.kind == DROP:  # its last report sets its one month to 0
                kept = [m for m in plan.messages[:-1] if m.kind in ("first", "correction")]
                last = max(kept, key=lambda m: m.revision)
                drop = self._report(plan, last.period, last.revision + 1, 0, "correction")
                plan.messages[-1] = drop
        self.rounds: list[list[Message]] = []
        for r in range(per_commitment):
            batch = [p.messages[r] for p in self.plans]
            self.rng.shuffle(batch)
            self.rounds.append(batch)
        self._thresholds()

    # --- the stream ---

    def _write(self, plan: Plan, n: int) -> None:
        current: dict[str, tuple[int, int]] = {}
        for k in range(n):
            roll = self.rng.random()
            if k > 0 and roll < 0.12:
                original = self.rng.choice(plan.messages)
                plan.messages.append(
                    Message(
                        plan.id,
                        original.event_id,
                        original.value,
                        "duplicate",
                        original.period,
                        original.revision,
                        original.people,
                        original.partner_id,
                    )
                )
                continue
            if current and roll < 0.22:
                period = self.rng.choice(sorted(current))
                revision = self.rng.randint(1, current[period][0])
                people = self.rng.randint(0, 400)
                plan.messages.append(self._report(plan, period, revision, people, "stale"))
                continue
            period = self.rng.choice(plan.periods)
            known = current.get(period)
            revision = (known[0] if known else 0) + self.rng.choice((1, 1, 1, 2, 7))
            if known is not None and plan.monotone:
                people = known[1] + self.rng.randint(0, 60)
            else:
                people = self.rng.randint(0, 400)
            kind = "correction" if known else "first"
            plan.messages.append(self._report(plan, period, revision, people, kind))
            current[period] = (revision, people)

    def _report(self, plan: Plan, period: str, revision: int, people: int, kind: str) -> Message:
        breakdown: dict[str, int] = {}
        if len(plan.countries) == 2:
            de = self.rng.randint(0, people)
            breakdown = {"DE": de, "FR": people - de}
        elif self.rng.random() < 0.5:
            breakdown = {plan.countries[0]: people}
        event = ProgressReported(
            event_id=uuid.UUID(int=self.rng.getrandbits(128), version=4),
            producer="fault-stream",
            partner_id=plan.partner_id,
            commitment_id=plan.id,
            period=period,
            revision=revision,
            people_trained=people,
            by_country=breakdown or None,
            programmes_developed=self.rng.randint(0, 3),
        )
        return Message(
            plan.id,
            str(event.event_id),
            event.to_bytes(),
            kind,
            period,
            revision,
            people,
            event.partner_id,
        )

    def truth(self, rounds: int) -> Truth:
        truth = Truth({p.id: {} for p in self.plans})
        for batch in self.rounds[:rounds]:
            for m in batch:
                truth.messages += 1
                if m.event_id in truth.distinct:
                    truth.kinds["duplicate"] += 1
                    continue
                truth.distinct.add(m.event_id)
                periods = truth.periods[m.commitment_id]
                known = periods.get(m.period)
                if known is not None and m.revision <= known[0]:
                    truth.kinds["stale"] += 1
                    continue
                truth.kinds["replaced" if known else "applied"] += 1
                periods[m.period] = (m.revision, m.people)
                truth.effective[m.commitment_id, m.period] = m.event_id
        return truth

    # --- the alerts ---

    def _thresholds(self) -> None:
        """Milestones reached at some round, targets at the last round or never, for the
        monotone commitments (the dated ones: their own lines, dated.py); and three
        partnership targets."""
        last = len(self.rounds)
        everything = [self.truth(r) for r in range(last + 1)]
        #: commitment -> its people trained after each number of rounds
        self.totals = {p.id: [t.total(p.id) for t in everything] for p in self.plans}
        #: commitment -> period -> people trained it has reported after each number of rounds
        self.reported = {
            p.id: [{k: people for k, (_, people) in t.periods[p.id].items()} for t in everything]
            for p in self.plans
        }
        for plan in self.plans:
            if plan.monotone:
                self._lines(plan, self.totals[plan.id], last)
        plain = [p for p in self.plans if p.kind == PLAIN]

        def summed(partnership: str, r: int) -> int:
            members = [p for p in self.plans if p.partnership_id == partnership]
            return sum(self.totals[p.id][r] for p in members)

        self.targets = {
            "t-a": ("pship-a", summed("pship-a", last // 3), summed("pship-a", last)),
            "t-b": ("pship-b", summed("pship-b", 3 * last // 4), summed("pship-b", last) + 1),
            "t-c": ("pship-c", NEVER // 10, NEVER),
        }
        self.targets_start = min(p.start for p in plain)
        #: fingerprint -> (partner, partnership) and whether it holds, after each round
        self.states = self._states(last)

    def _lines(self, plan: Plan, reached: list[int], last: int) -> None:
        rng = self.rng
        plan.milestone = max(1, reached[rng.randint(3, last - 2)])
        if plan.kind == DROP:  # achieved mid-stream, and the last report takes it away
            plan.milestone = max(1, reached[rng.randint(3, last // 3)])
            plan.target = max(plan.milestone, reached[rng.randint(last // 3, last // 2)])
        elif plan.kind == LATE:  # missed until reached at some round, or never
            plan.milestone = max(1, reached[rng.randint(3, last // 2)])
            never = rng.random() < 0.25
            at = reached[last] + 1 if never else reached[rng.randint(last // 2, last - 2)]
            plan.target = max(plan.milestone, at)
        elif plan.kind == RUNNING:  # at risk until the pace crosses the line at some round
            line = rng.randint(3, last - 2)
            target = self._at_risk_target(plan, line)
            if rng.random() < 0.25:
                target = self._at_risk_target(plan, last) + 1
            plan.target = max(plan.milestone, target)
        else:
            plan.target = max(plan.milestone, reached[last], 1)
            if rng.random() < 0.5:
                plan.target += 1 + rng.randint(0, 50)

    def _at_risk_target(self, plan: Plan, line: int) -> int:
        """The largest target at which the reports of `line` rounds are no longer at risk
        once at risk (under 5% short: its hysteresis; a larger target only puts them
        further behind)."""
        at_risk = f"CommitmentAtRisk:commitment:{plan.id}"
        total, reported = self.totals[plan.id][line], self.reported[plan.id][line]

        def safe(target: int) -> bool:
            plan.target = target
            return not plan.rules().active(total, reported, self.today, True)[at_risk]

        low, high = 1, 100 * (total + 1)
        while low < high:
            middle = (low + high + 1) // 2
            low, high = (middle, high) if safe(middle) else (low, middle - 1)
        return low

    def _states(self, last: int) -> dict[str, tuple[tuple[str | None, str], list[bool]]]:
        out: dict[str, tuple[tuple[str | None, str], list[bool]]] = {}
        for plan in self.plans:
            rules, who = plan.rules(), (plan.partner_id, plan.partnership_id)
            per_round, firing = [], False  # at risk's hysteresis: round after round
            at_risk = rules.fingerprint("CommitmentAtRisk")
            for r in range(last + 1):
                held = rules.active(
                    self.totals[plan.id][r], self.reported[plan.id][r], self.today, firing
                )
                firing = held[at_risk]
                per_round.append(held)
            for fingerprint in per_round[0]:
                out[fingerprint] = (who, [state[fingerprint] for state in per_round])
        for target_id, (partnership, milestone, target) in self.targets.items():
            members = [p for p in self.plans if p.partnership_id == partnership]
            reached = [sum(self.totals[p.id][r] for p in members) for r in range(last + 1)]
            due = self.milestone_due.isoformat()
            fingerprint = f"MilestoneAchieved:partnership_target:{target_id}:{due}"
            out[fingerprint] = ((None, partnership), [n >= milestone for n in reached])
            fingerprint = f"TargetAchieved:partnership_target:{target_id}"
            out[fingerprint] = ((None, partnership), [n >= target for n in reached])
        checkpoints = last // 2
        twice = [f for f, (_, states) in out.items() if not single_episode(states, checkpoints)]
        assert not twice, f"the world lets these alerts fire more than once: {twice}"
        # informational alerts (achievements) fire once and never resolve
        return {
            f: (who, list(itertools.accumulate(held, operator.or_)) if informational(f) else held)
            for f, (who, held) in out.items()
        }

    def fired(self, rounds: int) -> dict[str, tuple[str | None, str]]:
        """fingerprint -> (partner, partnership) of every alert fired after `rounds`."""
        return {f: who for f, (who, held) in self.states.items() if any(held[: rounds + 1])}

    def resolved(self, rounds: int) -> dict[str, tuple[str | None, str]]:
        """fingerprint -> (partner, partnership) of every alert resolved after `rounds`."""
        return {
            f: who
            for f, (who, held) in self.states.items()
            if any(held[: rounds + 1]) and not held[rounds]
        }

    # --- the reference data, as the registry and commitments services publish it ---

    def reference_events(self, webhook: Any) -> list[Event]:
        """`webhook(partner_id)`: the partner's webhook URL."""
        events: list[Event] = [
            PartnershipCreated(
                partnership_id=p, name=f"Partnership {p[-1].upper()}", ecosystem="digital"
            )
            for p in PARTNERSHIPS
        ]
        for partner_id in self.partners:
            mine = sorted({p.partnership_id for p in self.plans if p.partner_id == partner_id})
            partner = PARTNER.model_dump() | {
                "partnerships": mine,
                "webhook_url": webhook(partner_id),
            }
            events.append(
                PartnerApproved(
                    partner_id=partner_id,
                    partner_version=2,
                    partner=PartnerSnapshot.model_validate(partner),
                )
            )
        for plan in self.plans:
            snapshot = COMMITMENT.model_dump() | {
                "partner_id": plan.partner_id,
                "partnership_id": plan.partnership_id,
                "title": f"Digital skills {plan.id}",
                "countries": list(plan.countries),
                "target_value": plan.target,
                "start_date": plan.start,
                "deadline": plan.deadline,
                "milestones": [Milestone(due_date=plan.milestone_due, value=plan.milestone)],
                "cadence": "monthly" if plan.monthly else "quarterly",
                "grace_days": plan.grace_days,
            }
            events.append(
                CommitmentPledged(
                    commitment_id=plan.id,
                    commitment_version=1,
                    commitment=CommitmentSnapshot.model_validate(snapshot),
                )
            )
        first = self.targets_start
        for target_id, (partnership, milestone, target) in self.targets.items():
            events.append(
                PartnershipTargetSet(
                    target_id=target_id,
                    target_version=1,
                    target=PartnershipTarget(
                        partnership_id=partnership,
                        title=f"{target:,} people trained",
                        metric="people_trained",
                        target_value=target,
                        start_date=first,
                        deadline=_years_later(first, 5),
                        milestones=[Milestone(due_date=self.milestone_due, value=milestone)],
                    ),
                )
            )
        return events


def _quarters(first: date, n: int) -> list[date]:
    return [_month_start(first, -3 * i) for i in range(n)]


def _years_later(day: date, years: int) -> date:
    return date(day.year + years, day.month, 1) - timedelta(days=1)
