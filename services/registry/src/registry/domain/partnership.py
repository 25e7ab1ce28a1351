"""The Partnership aggregate: a skills partnership partners join. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from . import events as facts

DIGITAL_ECOSYSTEM = "digital-ecosystem"


@dataclass(frozen=True)
class Partnership:
    id: str
    name: str
    ecosystem: str
    description: str
    created_at: datetime
    events: list[facts.PartnershipCreated] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def create(
        cls,
        partnership_id: str,
        name: str,
        ecosystem: str,
        description: str,
        *,
        actor: str | None,
        at: datetime,
    ) -> Partnership:
        partnership = cls(partnership_id, name, ecosystem, description, at)
        partnership.events.append(facts.PartnershipCreated(partnership.id, actor=actor))
        return partnership


DIGITAL_ECOSYSTEM_PARTNERSHIP = dict(
    id=DIGITAL_ECOSYSTEM,
    name="Digital Ecosystem Skills Partnership",
    ecosystem="digital",
    description=(
        "Large-scale skills partnership of the Pact for Skills for the digital ecosystem, "
        "launched on 18 July 2022: upskill and reskill the workforce, attract people into "
        "digital jobs, set common targets and monitor progress toward them."
    ),
)
