"""Realistic (fictional) partner organisations of the Digital Ecosystem Skills Partnership
and the commitments they pledge, after the typical commitments of the Pact for Skills.

Pure: registration and pledge bodies as the registry and commitments APIs take them. The six
archetypes come first; more partners are made up from the same kinds, seeded.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

PRINCIPLES = {
    "lifelong_learning": True,
    "skills_partnerships": True,
    "skills_intelligence": True,
    "equal_opportunities": True,
}
PARTNERSHIP = "digital-ecosystem"


@dataclass(frozen=True)
class Plan:
    """A commitment to pledge, with dates relative to the year it is pledged in."""

    title: str  # "{target}" and "{year}" are filled in
    description: str
    principle: str
    action_type: str
    specialisations: tuple[str, ...]
    levels: tuple[str, ...]
    countries: tuple[str, ...]
    target_value: float
    metric: str = "people_trained"
    years: int = 2  # deadline: 31 December, this many years after the current one
    cadence: str = "quarterly"
    female_share: float | None = None

    def pledge(self, today: date, scale: float = 1.0) -> dict[str, Any]:
        """The POST /commitments body: started on 1 January last year, with a milestone at
        the end of every year before the deadline."""
        start, deadline = date(today.year - 1, 1, 1), date(today.year + self.years, 12, 31)
        target = max(1.0, round(self.target_value * scale))
        span = (deadline - start).days
        milestones: list[dict[str, Any]] = []
        last = 0
        for due in (date(y, 12, 31) for y in range(start.year, deadline.year)):
            value = round(target * (due - start).days / span)
            if last < value < target:
                milestones.append({"due_date": due.isoformat(), "value": value})
                last = value
        return {
            "partnership_id": PARTNERSHIP,
            "title": self.title.format(target=f"{target:,.0f}", year=deadline.year),
            "description": self.description,
            "principle": self.principle,
            "action_type": self.action_type,
            "specialisations": list(self.specialisations),
            "levels": list(self.levels),
            "countries": list(self.countries),
            "metric": self.metric,
            "target_value": target,
            "start_date": start.isoformat(),
            "deadline": deadline.isoformat(),
            "milestones": milestones,
            "cadence": self.cadence,
            "grace_days": 30,
        }


@dataclass(frozen=True)
class Organisation:
    legal_name: str
    organisation_type: str
    hq_country: str
    countries: tuple[str, ...]
    contact_name: str
    size_class: str | None = None

    @property
    def domain(self) -> str:
        words = re.sub(r"[^a-z0-9 ]", "", self.legal_name.lower()).split()
        return "-".join(words[:3]) + ".example"

    def registration(self) -> dict[str, Any]:
        """The POST /partners body."""
        body: dict[str, Any] = {
            "legal_name": self.legal_name,
            "organisation_type": self.organisation_type,
            "hq_country": self.hq_country,
            "countries": list(self.countries),
            "contact_name": self.contact_name,
            "contact_email": f"pact-skills@{self.domain}",
            "website": f"https://www.{self.domain}",
            "principles": dict(PRINCIPLES),
        }
        if self.size_class:
            body["size_class"] = self.size_class
        return body


@dataclass(frozen=True)
class Member:
    organisation: Organisation
    plans: tuple[Plan, ...]


def _one(org: Organisation, plan: Plan) -> Member:
    return Member(org, (plan,))


# fmt: off
ARCHETYPES: tuple[Member, ...] = (
    _one(Organisation("Nimbus Cloud Europe SE", "company", "DE", ("DE", "FR", "IT", "ES"),
                      "Katrin Vogel", "large"),
         Plan("Advanced cloud and cybersecurity skills for {target} employees and customers "
              "by {year}", "Certified tracks in cloud architecture and security operations.",
              "lifelong_learning", "upskilling", ("cloud", "cybersecurity"), ("advanced",),
              ("DE", "FR", "IT", "ES"), 20_000)),
    _one(Organisation("Carpathia Telecom S.A.", "company", "RO", ("RO", "PL"), "Andrei Popescu",
                      "large"),
         Plan("Reskill {target} network technicians to software-defined networking by {year}",
              "From field maintenance to SDN and 5G core operations.", "lifelong_learning",
              "reskilling", ("networks_5g",), ("advanced",), ("PL", "RO"), 3_000, years=1,
              cadence="monthly", female_share=0.18)),
    _one(Organisation("Associação Portuguesa das Empresas Digitais", "national_federation", "PT",
                      ("PT",), "Inês Carvalho"),
         Plan("Basic digital skills for {target} SME employees by {year}",
              "Short courses for small businesses in every region of Portugal.",
              "lifelong_learning", "upskilling", ("basic_digital_literacy",), ("basic",),
              ("PT",), 50_000, female_share=0.52)),
    _one(Organisation("EuroData University Alliance", "university", "NL",
                      ("NL", "DE", "IT", "FI"), "Prof. Marleen de Vries"),
         Plan("{target} micro-credential programmes in data and AI by {year}",
              "Stackable micro-credentials co-designed with employers.", "skills_partnerships",
              "programme_development", ("data", "artificial_intelligence"),
              ("advanced", "expert"), ("NL", "DE", "IT", "FI"), 40,
              metric="programmes_developed", years=1)),
    _one(Organisation("European Federation of Digital Workers", "trade_union", "BE",
                      ("BE", "FR", "DE", "ES", "IT"), "Luc Peeters"),
         Plan("Inform {target} workers of their training rights by {year}",
              "Workplace campaigns on individual learning accounts and paid training leave.",
              "equal_opportunities", "outreach", ("basic_digital_literacy",), ("basic",),
              ("BE", "FR", "DE", "ES", "IT"), 200_000, metric="people_reached", years=1)),
    _one(Organisation("CodeBridge Academy Ltd", "training_provider", "IE", ("IE", "NL", "BE"),
                      "Siobhán Murphy"),
         Plan("{target} unemployed people trained into junior developer roles by {year}",
              "Sixteen-week bootcamps with job placement; 45% women.", "equal_opportunities",
              "reskilling", ("software_development",), ("intermediate",), ("IE", "NL", "BE"),
              10_000, female_share=0.45)),
)
_LEGAL_FORM = {"DE": "GmbH", "AT": "GmbH", "FR": "SAS", "IT": "S.r.l.", "ES": "S.L.",
               "NL": "B.V.", "BE": "SRL", "PL": "sp. z o.o.", "PT": "Lda.", "SE": "AB",
               "FI": "Oy", "DK": "ApS", "CZ": "s.r.o.", "IE": "Ltd", "RO": "S.R.L.",
               "GR": "IKE", "EE": "OÜ", "LT": "UAB", "SI": "d.o.o.", "HR": "d.o.o."}
_STEMS = ("Baltic", "Danube", "Alpine", "Iberia", "Nordic", "Adriatic", "Rhine", "Aegean",
          "Carpathian", "Atlantic", "Vistula", "Helios", "Meridian", "Lumen", "Polaris",
          "Vega", "Orion", "Aurora", "Kepler", "Boreal")
_CORES = {
    "company": ("Cloud", "Software", "Data Systems", "Networks", "Cyber Defence"),
    "sme": ("Digital Studio", "Web Solutions", "IT Services", "Analytics"),
    "training_provider": ("Digital Academy", "Code School", "Skills Institute"),
    "chamber_of_commerce": ("Chamber of Commerce and Industry",),
    "employment_service": ("Public Employment Service",),
    "university": ("University of Technology",),
    "civil_society": ("Digital Inclusion Network",),
}
_SPECIALISATIONS = ("cybersecurity", "artificial_intelligence", "cloud", "data",
                    "software_development", "networks_5g", "digital_marketing",
                    "internet_of_things", "high_performance_computing", "semiconductors")
_FIRST = ("Anna", "Jonas", "Sofia", "Mateo", "Eva", "Lukas", "Marta", "Pieter", "Elena", "Jan")
_LAST = ("Novak", "Rossi", "García", "Jansen", "Nowak", "Silva", "Virtanen", "Horvat", "Weber")
# fmt: on


def _made_up(rng: random.Random, n: int) -> Member:
    kind = list(_CORES)[n % len(_CORES)]
    hq = rng.choice(sorted(_LEGAL_FORM))
    others = rng.sample(sorted(_LEGAL_FORM.keys() - {hq}), rng.randint(0, 3))
    countries = (hq, *others)
    stem, core = _STEMS[n % len(_STEMS)], rng.choice(_CORES[kind])
    suffix = f" {_LEGAL_FORM[hq]}" if kind in ("company", "sme", "training_provider") else ""
    name = f"{stem} {core}{suffix}" + (f" {n // len(_STEMS) + 1}" if n >= len(_STEMS) else "")
    size = {"company": "large", "sme": rng.choice(("micro", "small", "medium"))}.get(kind)
    level = rng.choice(("basic", "intermediate", "advanced", "expert"))
    speciality = rng.choice(_SPECIALISATIONS)
    target = rng.choice((500, 1_000, 2_500, 5_000, 12_000))
    plan = Plan(
        f"{speciality.replace('_', ' ').capitalize()} skills for {{target}} people by {{year}}",
        "Courses for employees, jobseekers and students in the countries named.",
        rng.choice(("lifelong_learning", "equal_opportunities", "skills_partnerships")),
        rng.choice(("upskilling", "reskilling")),
        (speciality,),
        (level,),
        countries,
        target,
        years=rng.randint(1, 3),
        cadence=rng.choice(("quarterly", "quarterly", "monthly")),
    )
    contact = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    return Member(Organisation(name, kind, hq, countries, contact, size), (plan,))


def members(count: int, seed: int | None = None) -> list[Member]:
    """`count` partners: the six archetypes first, then made-up ones (seeded)."""
    rng = random.Random(seed)
    chosen = list(ARCHETYPES[:count])
    chosen += [_made_up(rng, n) for n in range(count - len(chosen))]
    return chosen
