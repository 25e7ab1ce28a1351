"""The flat form of a commitment's terms, shared by the stored documents and the contract
snapshot (CommitmentSnapshot has the same field names)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pact_common.targets import milestones_doc, milestones_from

from ..domain.values import Target, Terms


def target_to_doc(target: Target) -> dict[str, Any]:
    """Dates as ISO strings (YYYY-MM-DD), which sort and range-query like dates."""
    return {
        "metric": target.metric,
        "target_value": target.target_value,
        "baseline": target.baseline,
        "start_date": target.start_date.isoformat(),
        "deadline": target.deadline.isoformat(),
        "milestones": milestones_doc(target.milestones),
    }


def target_from_doc(doc: dict[str, Any]) -> Target:
    return Target(
        metric=doc["metric"],
        target_value=doc["target_value"],
        baseline=doc["baseline"],
        start_date=date.fromisoformat(doc["start_date"]),
        deadline=date.fromisoformat(doc["deadline"]),
        milestones=milestones_from(doc["milestones"]),
    )


def terms_to_doc(terms: Terms) -> dict[str, Any]:
    return {
        "partner_id": terms.partner_id,
        "partnership_id": terms.partnership_id,
        "title": terms.title,
        "description": terms.description,
        "principle": terms.principle,
        "action_type": terms.action_type,
        "specialisations": list(terms.specialisations),
        "levels": list(terms.levels),
        "countries": list(terms.countries),
        "cadence": terms.cadence,
        "grace_days": terms.grace_days,
        **target_to_doc(terms.target),
    }


def terms_from_doc(doc: dict[str, Any]) -> Terms:
    return Terms(
        partner_id=doc["partner_id"],
        partnership_id=doc["partnership_id"],
        title=doc["title"],
        description=doc["description"],
        principle=doc["principle"],
        action_type=doc["action_type"],
        specialisations=tuple(doc["specialisations"]),
        levels=tuple(doc["levels"]),
        countries=tuple(doc["countries"]),
        cadence=doc["cadence"],
        grace_days=doc["grace_days"],
        target=target_from_doc(doc),
    )
