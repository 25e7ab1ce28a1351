"""The domain may run compiled (scripts/compile_domain.py); a compiled module whose source
changed since is refused at import, so edited sources never run stale code."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import monitoring.core.domain.years
from monitoring.core.domain import MANIFEST, source_hash, stale_modules
from monitoring.core.domain.conditions import Subject, SubjectType
from monitoring.core.domain.model import Metric, Milestone, TargetDefinition
from monitoring.core.domain.periods import Granularity, Period

DOMAIN = Path(monitoring.core.domain.__file__).parent


def test_a_compiled_module_is_stale_once_its_source_differs(tmp_path: Path) -> None:
    for name in ("years", "buckets", "rules"):
        (tmp_path / f"{name}.py").write_text(f"# {name}\n")
    for name in ("years", "buckets"):  # rules is not compiled
        (tmp_path / f"{name}{EXTENSION_SUFFIXES[0]}").write_bytes(b"")
    hashes = {n: source_hash(tmp_path / f"{n}.py") for n in ("years", "buckets")}
    (tmp_path / MANIFEST).write_text(json.dumps(hashes))
    assert stale_modules(tmp_path) == []
    (tmp_path / "years.py").write_text("# years, edited\n")
    (tmp_path / "rules.py").write_text("# rules, edited: runs as source\n")
    assert stale_modules(tmp_path) == ["years"]
    (tmp_path / MANIFEST).unlink()  # compiled by hand, nothing written down
    assert stale_modules(tmp_path) == ["buckets", "years"]


def test_the_domain_runs_what_was_compiled_or_its_sources() -> None:
    """With a manifest (`make` compiles the domain), the hot modules are extension modules;
    without one (`make pure`), sources."""
    compiled = (DOMAIN / MANIFEST).exists()
    loaded_from = Path(monitoring.core.domain.years.__file__ or "").name
    print(f"\nmonitoring.core.domain.years from {loaded_from}")
    assert loaded_from.endswith(EXTENSION_SUFFIXES[0] if compiled else ".py")


class _CountedMilestone(Milestone):
    """A milestone that counts how often it is hashed."""

    hashed = 0

    def __hash__(self) -> int:
        type(self).hashed += 1
        return super().__hash__()


def test_what_the_domain_keeps_once_worked_out_is_kept_compiled_too() -> None:
    """A period's text, start and end, a subject's key and a target definition's hash are
    worked out once per object, compiled or not: the rules read them of every period and
    condition at every evaluation (compiled, a functools.cached_property was worked out
    again at every read: a new string or date each time)."""
    period = Period.parse("2024-05")
    assert period.text == "2024-05"
    assert (period.start, period.end) == (date(2024, 5, 1), date(2024, 5, 31))
    assert period.text is period.text and period.end is period.end
    assert period.start is period.start
    assert Period(2024, Granularity.QUARTER, 2).end == date(2024, 6, 30)
    assert period == Period(2024, Granularity.MONTH, 5)  # what is kept is not compared
    assert hash(period) == hash(Period(2024, Granularity.MONTH, 5))

    subject = Subject(SubjectType.COMMITMENT, "c-1", "p-1", Metric.PEOPLE_TRAINED)
    assert subject.key == "commitment:c-1" and subject.key is subject.key
    assert replace(subject, id="c-2").key == "commitment:c-2"
    assert subject == Subject(SubjectType.COMMITMENT, "c-1", "p-1", Metric.PEOPLE_TRAINED)

    milestones = tuple(_CountedMilestone(date(2025 + i, 1, 1), 10.0 * i) for i in range(10))
    definition = TargetDefinition(
        Metric.PEOPLE_TRAINED, 100.0, date(2024, 1, 1), date(2034, 12, 31), 0.0, milestones
    )
    _CountedMilestone.hashed = 0
    first = hash(definition)
    assert [hash(definition) for _ in range(3)] == [first] * 3
    print(f"\nmilestones hashed for four hashes of a definition: {_CountedMilestone.hashed}")
    assert _CountedMilestone.hashed == len(milestones)
    assert definition == replace(definition) and hash(replace(definition)) == first
