"""Unique learners: partners attach a mergeable count of distinct people to a report (a
learners sketch of keyed hashes of their learner ids, never the ids), and monitoring keeps
the union of every sketch per commitment, partner, partnership, and partner within a
partnership, for each year. Unions only grow: a report replaced by a higher revision keeps
the learners it brought. Pure: the sketches are bytes here; adapters/learner_sketches.py
reads and merges them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from monitoring.core.domain.model import Commitment, Report


class LearnerScope(StrEnum):
    COMMITMENT = "commitment"
    PARTNER = "partner"
    PARTNERSHIP = "partnership"
    #: a partner's learners in one partnership: what the overlaps between partners are of
    MEMBER = "member"


def learners_key(scope: LearnerScope, subject: str, year: int) -> str:
    """The key of a union: `partnership/digital-ecosystem/2026`, `member/<ps>:<partner>/2026`."""
    return f"{scope.value}/{subject}/{year}"


def member(partnership_id: str, partner_id: str) -> str:
    return f"{partnership_id}:{partner_id}"


def keys_of(report: Report, commitment: Commitment) -> tuple[str, ...]:
    """Every union a report's learners go into (the year of its period)."""
    year = int(report.period[:4])
    return (
        learners_key(LearnerScope.COMMITMENT, commitment.id, year),
        learners_key(LearnerScope.PARTNER, commitment.partner_id, year),
        learners_key(LearnerScope.PARTNERSHIP, commitment.partnership_id, year),
        learners_key(
            LearnerScope.MEMBER, member(commitment.partnership_id, commitment.partner_id), year
        ),
    )


def additions(taken: Iterable[tuple[Report, Commitment]]) -> dict[str, list[bytes]]:
    """The sketches a batch adds, per union: merged once per key and batch."""
    out: dict[str, list[bytes]] = defaultdict(list)
    for report, commitment in taken:
        if report.learners is not None:
            for key in keys_of(report, commitment):
                out[key].append(report.learners)
    return dict(out)


@dataclass(frozen=True)
class Unique:
    """Distinct people, estimated, with the bounds of the sketch's error (2 std devs)."""

    estimate: float
    lower: float
    upper: float

    @property
    def people(self) -> int:
        return round(self.estimate)


NOBODY = Unique(0.0, 0.0, 0.0)


def overlap(a: Unique, b: Unique, union: Unique) -> Unique:
    """People in both: |A| + |B| - |A or B|, its bounds from theirs (never below 0)."""
    estimate = a.estimate + b.estimate - union.estimate
    lower = a.lower + b.lower - union.upper
    upper = a.upper + b.upper - union.lower
    return Unique(max(0.0, estimate), max(0.0, lower), max(0.0, upper))
