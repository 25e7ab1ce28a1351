"""The partners' yearly declarations (issue 17), for the two figures of the Pact for Skills
survey no report carries: the stakeholders a partner brought into networks in the year, and
what it did for each of the four charter principles (a short text, and a count where the
partner counts its activities). And the per-partner survey: the partner's measured figures
of the year with its declaration, and a digest of both, which the partner confirms. Pure."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: the charter's four principles (pact_contracts.vocabulary.Principle), in the survey's order
PRINCIPLES = (
    "lifelong_learning",
    "skills_partnerships",
    "skills_intelligence",
    "equal_opportunities",
)


@dataclass(frozen=True)
class Activities:
    text: str
    count: int | None = None


@dataclass(frozen=True)
class Declaration:
    partner_id: str
    year: int
    stakeholders_joined_networks: int
    principles: Mapping[str, Activities]


@dataclass
class PrincipleProgress:
    principle: str
    partners_declaring: int = 0
    #: the activities counted by the partners that count them
    activities_counted: int = 0


@dataclass
class NetworksAndPrinciples:
    """The declarations of a year, summed: what the annual report shows."""

    partners_declaring: set[str] = field(default_factory=set)
    stakeholders_joined_networks: int = 0
    principles: dict[str, PrincipleProgress] = field(
        default_factory=lambda: {p: PrincipleProgress(p) for p in PRINCIPLES}
    )


def summed(declarations: Iterable[Declaration]) -> NetworksAndPrinciples:
    out = NetworksAndPrinciples()
    for d in declarations:
        out.partners_declaring.add(d.partner_id)
        out.stakeholders_joined_networks += d.stakeholders_joined_networks
        for name, activities in d.principles.items():
            progress = out.principles[name]
            progress.partners_declaring += 1
            progress.activities_counted += activities.count or 0
    return out


def digest(survey: Mapping[str, Any]) -> str:
    """What a partner confirms: the survey's figures and declaration, canonically hashed, so
    a confirmation names the very answers it confirms (and a later report changes them)."""
    canonical = json.dumps(survey, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


#: the annual report's table gains these columns: the total row says how many stakeholders
#: joined networks, one row per principle (scope `principle`) its progress
COLUMNS = ("stakeholders_joined_networks", "partners_declaring", "activities_counted")


def rows(year: int, s: NetworksAndPrinciples, shown: bool) -> list[dict[str, object]]:
    """The principle rows of the annual report's table (none when not shown)."""
    if not shown:
        return []
    return [
        {
            "year": year,
            "scope": "principle",
            "id": p.principle,
            "name": "",
            "partners_declaring": p.partners_declaring,
            "activities_counted": p.activities_counted,
        }
        for p in s.principles.values()
    ]
