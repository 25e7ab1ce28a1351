"""A target's milestones, the same value in commitments (which takes them in a pledge) and in
monitoring (which measures progress against them), and their stored form, declared once.
Pure Python, for domain code; what makes milestones valid is commitments' rule."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Milestone:
    """The cumulative value to have reached by a day."""

    due_date: date
    value: float


def milestones_doc(milestones: Iterable[Milestone]) -> list[dict[str, Any]]:
    """Their stored form: days as ISO strings (YYYY-MM-DD), which sort like dates."""
    return [{"due_date": m.due_date.isoformat(), "value": m.value} for m in milestones]


def milestones_from(docs: Iterable[dict[str, Any]]) -> tuple[Milestone, ...]:
    return tuple(Milestone(date.fromisoformat(m["due_date"]), m["value"]) for m in docs)
