"""Controlled vocabularies shared by every event (the domain's words, not free text)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, get_args

#: ISO 3166-1 alpha-2: the EU-27 (Greece is GR) and the EEA/EFTA partners IS, LI, NO.
CountryCode = Literal[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "IE", "IT",
    "HU", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    "IS", "LI", "NO",
]  # fmt: skip
COUNTRIES: frozenset[str] = frozenset(get_args(CountryCode))


class SkillLevel(StrEnum):
    """Digital skill levels of the European Digital Skills & Jobs Platform."""

    BASIC = "basic"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"
    EXPERT = "expert"


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    NON_BINARY = "non_binary"
    UNDISCLOSED = "undisclosed"


class OrganisationType(StrEnum):
    COMPANY = "company"
    SME = "sme"
    EU_ASSOCIATION = "eu_association"
    NATIONAL_FEDERATION = "national_federation"
    TRADE_UNION = "trade_union"
    UNIVERSITY = "university"
    TRAINING_PROVIDER = "training_provider"
    PUBLIC_AUTHORITY = "public_authority"
    CHAMBER_OF_COMMERCE = "chamber_of_commerce"
    EMPLOYMENT_SERVICE = "employment_service"
    CIVIL_SOCIETY = "civil_society"
    OTHER = "other"


class SizeClass(StrEnum):
    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class PartnerStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"


class Principle(StrEnum):
    """The four principles of the Pact for Skills charter."""

    LIFELONG_LEARNING = "lifelong_learning"
    SKILLS_PARTNERSHIPS = "skills_partnerships"
    SKILLS_INTELLIGENCE = "skills_intelligence"
    EQUAL_OPPORTUNITIES = "equal_opportunities"


class ActionType(StrEnum):
    UPSKILLING = "upskilling"
    RESKILLING = "reskilling"
    ATTRACTING_TALENT = "attracting_talent"
    PROGRAMME_DEVELOPMENT = "programme_development"
    OUTREACH = "outreach"


class Specialisation(StrEnum):
    BASIC_DIGITAL_LITERACY = "basic_digital_literacy"
    CYBERSECURITY = "cybersecurity"
    ARTIFICIAL_INTELLIGENCE = "artificial_intelligence"
    CLOUD = "cloud"
    DATA = "data"
    SOFTWARE_DEVELOPMENT = "software_development"
    NETWORKS_5G = "networks_5g"
    DIGITAL_MARKETING = "digital_marketing"
    HIGH_PERFORMANCE_COMPUTING = "high_performance_computing"
    INTERNET_OF_THINGS = "internet_of_things"
    BLOCKCHAIN = "blockchain"
    SEMICONDUCTORS = "semiconductors"


class Metric(StrEnum):
    """What a target counts; each is a field of the progress report."""

    PEOPLE_TRAINED = "people_trained"
    PROGRAMMES_DEVELOPED = "programmes_developed"
    INVESTMENT_EUR = "investment_eur"
    PEOPLE_REACHED = "people_reached"
    PEOPLE_PLACED_IN_JOBS = "people_placed_in_jobs"
    NEW_ENTRANTS = "new_entrants"
    CERTIFICATES_ISSUED = "certificates_issued"


class Cadence(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class CommitmentStatus(StrEnum):
    ACTIVE = "active"
    ACHIEVED = "achieved"
    MISSED = "missed"
    WITHDRAWN = "withdrawn"
    SUSPENDED = "suspended"
