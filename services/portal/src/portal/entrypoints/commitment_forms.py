"""The pledge, amendment and target forms: their choices (the contracts' vocabularies) and
the API bodies made from what was typed, each problem noted on its field."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pact_contracts.vocabulary import (
    COUNTRIES,
    ActionType,
    Cadence,
    Metric,
    Principle,
    SkillLevel,
    Specialisation,
)

from ..i18n import N_, Gettext
from .work_forms import Form, milestones

CHECKBOXES = ("specialisations", "levels", "countries")


#: what the forms call the contracts' words (the values are the contracts' own)
LABELS: dict[str, str] = {
    Principle.LIFELONG_LEARNING: N_("Lifelong learning for all"),
    Principle.SKILLS_PARTNERSHIPS: N_("Strong skills partnerships"),
    Principle.SKILLS_INTELLIGENCE: N_("Skills intelligence"),
    Principle.EQUAL_OPPORTUNITIES: N_("Equal opportunities"),
    ActionType.UPSKILLING: N_("Upskilling"),
    ActionType.RESKILLING: N_("Reskilling"),
    ActionType.ATTRACTING_TALENT: N_("Attracting talent"),
    ActionType.PROGRAMME_DEVELOPMENT: N_("Programme development"),
    ActionType.OUTREACH: N_("Outreach"),
    Specialisation.BASIC_DIGITAL_LITERACY: N_("Basic digital literacy"),
    Specialisation.CYBERSECURITY: N_("Cybersecurity"),
    Specialisation.ARTIFICIAL_INTELLIGENCE: N_("Artificial intelligence"),
    Specialisation.CLOUD: N_("Cloud"),
    Specialisation.DATA: N_("Data"),
    Specialisation.SOFTWARE_DEVELOPMENT: N_("Software development"),
    Specialisation.NETWORKS_5G: N_("Networks and 5G"),
    Specialisation.DIGITAL_MARKETING: N_("Digital marketing"),
    Specialisation.HIGH_PERFORMANCE_COMPUTING: N_("High-performance computing"),
    Specialisation.INTERNET_OF_THINGS: N_("Internet of things"),
    Specialisation.BLOCKCHAIN: N_("Blockchain"),
    Specialisation.SEMICONDUCTORS: N_("Semiconductors"),
    SkillLevel.BASIC: N_("Basic"),
    SkillLevel.INTERMEDIATE: N_("Intermediate"),
    SkillLevel.ADVANCED: N_("Advanced"),
    SkillLevel.EXPERT: N_("Expert"),
    Metric.PEOPLE_TRAINED: N_("People trained"),
    Metric.PROGRAMMES_DEVELOPED: N_("Programmes developed"),
    Metric.INVESTMENT_EUR: N_("Investment in training (euros)"),
    Metric.PEOPLE_REACHED: N_("People reached"),
    Metric.PEOPLE_PLACED_IN_JOBS: N_("People placed in digital jobs"),
    Metric.NEW_ENTRANTS: N_("New entrants to the digital sector"),
    Metric.CERTIFICATES_ISSUED: N_("Certificates issued"),
    Cadence.MONTHLY: N_("Monthly"),
    Cadence.QUARTERLY: N_("Quarterly"),
}
VOCABULARIES: dict[str, type[StrEnum]] = {
    "principle": Principle,
    "action_type": ActionType,
    "specialisations": Specialisation,
    "levels": SkillLevel,
    "metric": Metric,
    "cadence": Cadence,
}
#: a word of a contract's vocabulary without a label would show as its code: fail at start
assert all(v in LABELS for e in VOCABULARIES.values() for v in e), "a word without a label"


def options(_: Gettext) -> dict[str, list[tuple[str, str]]]:
    """(value, what a person reads) of each select and checkbox group, in their language."""
    out = {name: [(v.value, _(LABELS[v])) for v in e] for name, e in VOCABULARIES.items()}
    out["countries"] = [(c, c) for c in sorted(COUNTRIES)]
    return out


def _target_terms(form: Form, _: Gettext) -> dict[str, Any]:
    """The fields a commitment and a partnership target share."""
    body: dict[str, Any] = {
        "metric": form.required("metric", _),
        "target_value": form.amount("target_value", _),
        "start_date": form.day("start_date", _),
        "deadline": form.day("deadline", _),
    }
    baseline = form.amount("baseline", _, required=False)
    if baseline is not None:
        body["baseline"] = baseline
    rows = milestones(form, _)
    body["milestones"] = [{"due_date": m["due_date"], "value": m["value"]} for m in rows]
    form.values["_milestone_rows"] = [m["row"] for m in rows]
    return body


def pledge_body(form: Form, _: Gettext, *, for_partner: bool) -> dict[str, Any]:
    """POST /commitments's body; `for_partner`: the secretariat names the partner."""
    body: dict[str, Any] = {
        "partnership_id": form.required("partnership_id", _),
        "title": form.required("title", _),
        "description": form.text("description"),
        "principle": form.required("principle", _),
        "action_type": form.required("action_type", _),
        "cadence": form.required("cadence", _),
        **_target_terms(form, _),
    }
    if for_partner:
        body["partner_id"] = form.required("partner_id", _)
    for name in CHECKBOXES:
        body[name] = form.chosen(name)
        if not body[name]:
            form.fail(name, _("Choose at least one."))
    grace = form.text("grace_days")
    if grace:
        if grace.isdigit():
            body["grace_days"] = int(grace)
        else:
            form.fail("grace_days", _("%(text)s is not a whole number of days.", text=grace))
    return body


def amendment_body(form: Form, _: Gettext, current: dict[str, Any]) -> dict[str, Any]:
    """POST /commitments/{id}/amendments's body: the reason and what changed."""
    body: dict[str, Any] = {"reason": form.required("reason", _)}
    target = form.amount("target_value", _, required=False)
    if target is not None and target != current["target_value"]:
        body["target_value"] = target
    deadline = form.day("deadline", _, required=False)
    if deadline is not None and deadline != str(current["deadline"]):
        body["deadline"] = deadline
    rows = milestones(form, _)
    form.values["_milestone_rows"] = [m["row"] for m in rows]
    sent = [{"due_date": m["due_date"], "value": m["value"]} for m in rows]
    was = [{"due_date": str(m["due_date"]), "value": m["value"]} for m in current["milestones"]]
    if sent != was:
        body["milestones"] = sent
    return body


def target_body(form: Form, _: Gettext) -> dict[str, Any]:
    """POST /partnership-targets's body."""
    return {
        "partnership_id": form.required("partnership_id", _),
        "title": form.required("title", _),
        **_target_terms(form, _),
    }
