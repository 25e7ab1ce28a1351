"""The `make run` story, pure: twelve partners, one commitment each, and who reports what
as (time-lapsed) months pass. Profiles make every kind of alert happen within minutes:
on track, ahead (achieved), lagging (at risk, milestone and target missed), silent
(reporting overdue), late (overdue, then resolved), one correction and one invalid report.
What the partnership measures (issue 17) shows too: some partners report people placed in
digital jobs, new entrants and certificates; two attach learners sketches of learners they
partly share; and a common target split into cells leaves one cell without a pledge."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pact_contracts import ProgressReported

from .catalogue import PARTNERSHIP, PRINCIPLES, Member
from .commands.learners import encoded, sketch_of
from .simulation import PER_TRAINED, split

PRODUCER = "pactctl-demo"
#: profile -> share of the pace that reaches the target exactly at the deadline
PROFILES: tuple[tuple[str, float], ...] = (
    ("on track", 1.0), ("ahead", 1.4), ("lagging", 0.4), ("on track", 1.05),
    ("silent", 1.0), ("ahead", 1.3), ("lagging", 0.5), ("late", 1.0),
    ("correction", 1.0), ("on track", 1.1), ("lagging", 0.3), ("on track", 1.0),
)  # fmt: skip
#: the partners (places in the story) whose systems report people placed in digital jobs,
#: new entrants and certificates issued, as shares of the people trained
PLACING = (0, 2, 3, 5, 9)
#: the two partners whose reports carry learners sketches, and the share of the second's
#: learners who are the first's too (a person trained by both counts once)
SKETCHING = (0, 1)
SHARED = 0.3
#: the salt both partners hash their learner ids with (the partnership's, never monitoring's:
#: the same person hashes alike in both sketches, and nobody without it can test an id)
DEMO_SALT = b"demo-partnership-salt-kept-by-its-partners"
LATE_BY_DAYS = 12  # the late partner reports its month this long after the month ends
GRACE_DAYS = 3


def month_start(d: date, shift: int = 0) -> date:
    index = d.year * 12 + d.month - 1 + shift
    return date(index // 12, index % 12 + 1, 1)


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def period_of(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


@dataclass
class DemoCommitment:
    member: Member
    profile: str
    pace: float
    commitment_id: str = ""
    partner_id: str = ""
    start: date = date.min
    deadline: date = date.min
    target: int = 0
    months: tuple[date, ...] = ()
    reported: set[str] | None = None
    corrected: bool = False
    #: reports placements, new entrants and certificates
    placing: bool = False
    #: sketches its learners: its own learner id prefix, and whose learners it shares
    learners: str | None = None
    shares_with: str | None = None

    def pledge(self, today: date) -> dict[str, Any]:
        """Monthly reporting from the first of this month; the deadline at the end of the
        third month after; a milestone (half the target) at the end of next month."""
        plan = self.member.plans[0]
        self.months = tuple(month_start(today, k) for k in range(4))
        self.start = self.months[0]
        self.deadline = month_end(self.months[-1])
        self.target = 100 * len(self.months) * (1 + len(self.member.organisation.legal_name) % 5)
        milestone = month_end(self.months[1])
        return {
            "partnership_id": PARTNERSHIP,
            "title": f"{plan.title.split(' by ')[0].format(target=f'{self.target:,}', year='')}"
            f" ({self.profile} in the demo)"[:200],
            "description": plan.description,
            "principle": plan.principle,
            "action_type": plan.action_type,
            "specialisations": list(plan.specialisations),
            "levels": list(plan.levels),
            "countries": list(self.member.organisation.countries[:3]),
            "metric": "people_trained",
            "target_value": self.target,
            "start_date": self.start.isoformat(),
            "deadline": self.deadline.isoformat(),
            "milestones": [{"due_date": milestone.isoformat(), "value": self.target // 2}],
            "cadence": "monthly",
            "grace_days": GRACE_DAYS,
        }

    def monthly(self) -> int:
        return round(self.target / len(self.months) * self.pace)

    def report(self, month: date, people: int, revision: int = 1) -> ProgressReported:
        levels = self.member.plans[0].levels
        countries = self.member.organisation.countries[:3]
        female = round(people * 0.42)
        extra: dict[str, Any] = {}
        if self.placing:
            extra = {name: round(people * share) for name, share in PER_TRAINED.items()}
        if self.learners is not None:
            extra["learners_sketch"] = encoded(
                sketch_of(self.learner_ids(month, people), DEMO_SALT)
            )
        return ProgressReported(
            producer=PRODUCER,
            partner_id=self.partner_id,
            commitment_id=self.commitment_id,
            period=period_of(month),
            revision=revision,
            people_trained=people,
            by_level=split(people, dict.fromkeys(levels, 1.0)),
            by_country=split(people, {c: 1.0 + i for i, c in enumerate(countries)}),
            by_gender={"female": female, "male": people - female},
            **extra,
        )

    def learner_ids(self, month: date, people: int) -> list[str]:
        """The month's learners: its own, but for a share that are another's too."""
        shared = round(people * SHARED) if self.shares_with else 0
        own = [f"{self.learners}-{period_of(month)}-{i}" for i in range(shared, people)]
        return [f"{self.shares_with}-{period_of(month)}-{i}" for i in range(shared)] + own

    def due(self, now: datetime) -> list[ProgressReported]:
        """The reports this partner's system sends by `now` (simulated time)."""
        self.reported = self.reported if self.reported is not None else set()
        out: list[ProgressReported] = []
        today = now.date()
        for month in self.months:
            done_on = month_end(month)
            if self.profile == "late" and month == self.months[1]:
                done_on = date.fromordinal(done_on.toordinal() + LATE_BY_DAYS)
            silent = self.profile == "silent" and month >= self.months[1]
            if today <= done_on or period_of(month) in self.reported or silent:
                continue
            people = self.monthly()
            if self.profile == "correction" and month == self.months[0]:
                people = people // 2  # first count, corrected later
            out.append(self.report(month, people))
            self.reported.add(period_of(month))
        if (
            self.profile == "correction"
            and not self.corrected
            and today > month_end(self.months[1])
        ):
            out.append(self.report(self.months[0], self.monthly(), revision=2))
            self.corrected = True
        return out


def cast(story: list[DemoCommitment]) -> list[DemoCommitment]:
    """Who reports placements, and who sketches its learners (sharing some)."""
    for i in PLACING:
        if i < len(story):
            story[i].placing = True
    if len(story) > max(SKETCHING):
        first, second = (story[i] for i in SKETCHING)
        first.learners, second.learners, second.shares_with = "a", "b", "a"
    return story


#: countries a coverage gap is looked for in, in order (the first no pledge names)
GAP_COUNTRIES = ("RO", "BG", "MT", "CY", "LU", "EE", "LV", "LT", "SI", "HR", "SK")
GAP_LEVEL = "advanced"


def split_target(story: list[DemoCommitment], today: date) -> tuple[dict[str, Any], dict[str, Any]]:
    """A common target split into two cells: one the first partner's pledge covers (its
    level and country), one no pledge names (advanced, in a country nobody pledges for);
    and that uncovered cell."""
    first = story[0]
    level, country = first.member.plans[0].levels[0], first.member.organisation.countries[0]
    named = {
        (lvl, ctry)
        for c in story
        for lvl in c.member.plans[0].levels
        for ctry in c.member.organisation.countries[:3]
    }
    gap = next(g for g in GAP_COUNTRIES if (GAP_LEVEL, g) not in named)
    covered: dict[str, Any] = {"level": level, "country": country, "value": first.target}
    uncovered: dict[str, Any] = {"level": GAP_LEVEL, "country": gap, "value": 4000}
    body = {
        "partnership_id": PARTNERSHIP,
        "title": "Digital skills across the partnership (demo, split into cells)",
        "metric": "people_trained",
        "target_value": covered["value"] + uncovered["value"],
        "start_date": month_start(today).isoformat(),
        "deadline": month_end(month_start(today, 11)).isoformat(),
        "cells": [covered, uncovered],
    }
    return body, uncovered


def registration(member: Member, webhook_url: str) -> dict[str, Any]:
    return member.organisation.registration() | {
        "webhook_url": webhook_url,
        "principles": dict(PRINCIPLES),
    }


def invalid_report(c: DemoCommitment, month: date) -> dict[str, Any]:
    """A report whose breakdown by level does not add up: monitoring refuses it."""
    body = c.report(month, 10).to_jsonable()
    body["by_level"] = {level: 1 for level in body["by_level"]}
    body["people_trained"] = 10
    return body
