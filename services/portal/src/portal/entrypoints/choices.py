"""The lists the forms offer (organisation types, sizes, countries, roles), declared once
with their labels for translation; the values are the contracts' own."""

from __future__ import annotations

from typing import get_args

from pact_contracts.vocabulary import CountryCode, OrganisationType, SizeClass

from ..i18n import N_

ORGANISATION_TYPES: dict[str, str] = {
    OrganisationType.COMPANY: N_("Company"),
    OrganisationType.SME: N_("Small or medium-sized enterprise"),
    OrganisationType.EU_ASSOCIATION: N_("European association"),
    OrganisationType.NATIONAL_FEDERATION: N_("National federation"),
    OrganisationType.TRADE_UNION: N_("Trade union"),
    OrganisationType.UNIVERSITY: N_("University"),
    OrganisationType.TRAINING_PROVIDER: N_("Training provider"),
    OrganisationType.PUBLIC_AUTHORITY: N_("Public authority"),
    OrganisationType.CHAMBER_OF_COMMERCE: N_("Chamber of commerce"),
    OrganisationType.EMPLOYMENT_SERVICE: N_("Employment service"),
    OrganisationType.CIVIL_SOCIETY: N_("Civil society organisation"),
    OrganisationType.OTHER: N_("Other"),
}
SIZE_CLASSES: dict[str, str] = {
    SizeClass.MICRO: N_("Micro (under 10 people)"),
    SizeClass.SMALL: N_("Small (10 to 49 people)"),
    SizeClass.MEDIUM: N_("Medium (50 to 249 people)"),
    SizeClass.LARGE: N_("Large (250 people or more)"),
}
COUNTRY_NAMES: dict[str, str] = {
    "AT": N_("Austria"),
    "BE": N_("Belgium"),
    "BG": N_("Bulgaria"),
    "HR": N_("Croatia"),
    "CY": N_("Cyprus"),
    "CZ": N_("Czechia"),
    "DK": N_("Denmark"),
    "EE": N_("Estonia"),
    "FI": N_("Finland"),
    "FR": N_("France"),
    "DE": N_("Germany"),
    "GR": N_("Greece"),
    "IE": N_("Ireland"),
    "IT": N_("Italy"),
    "HU": N_("Hungary"),
    "LV": N_("Latvia"),
    "LT": N_("Lithuania"),
    "LU": N_("Luxembourg"),
    "MT": N_("Malta"),
    "NL": N_("Netherlands"),
    "PL": N_("Poland"),
    "PT": N_("Portugal"),
    "RO": N_("Romania"),
    "SK": N_("Slovakia"),
    "SI": N_("Slovenia"),
    "ES": N_("Spain"),
    "SE": N_("Sweden"),
    "IS": N_("Iceland"),
    "LI": N_("Liechtenstein"),
    "NO": N_("Norway"),
}
assert set(COUNTRY_NAMES) == set(get_args(CountryCode)), "a country without a name"
assert set(ORGANISATION_TYPES) == set(OrganisationType), "an organisation type without a label"

#: The four charter principles of the Pact for Skills, as the registry names them.
PRINCIPLES: dict[str, str] = {
    "lifelong_learning": N_("Promoting a culture of lifelong learning for all"),
    "skills_partnerships": N_("Building strong skills partnerships"),
    "skills_intelligence": N_("Monitoring skills supply and demand and anticipating skills needs"),
    "equal_opportunities": N_(
        "Working against discrimination and for gender equality and equal opportunities"
    ),
}

PARTNER_ROLES: dict[str, str] = {
    "coordinator": N_("Coordinator: manages the organisation and its people"),
    "reporter": N_("Reporter: pledges commitments and reports progress"),
    "viewer": N_("Viewer: reads only"),
}
SECRETARIAT_ROLES: dict[str, str] = {
    "admin": N_("Administrator: manages partners and the secretariat's people"),
    "officer": N_("Officer: approves partners and follows commitments"),
}
ROLE_NAMES: dict[str, str] = {
    "admin": N_("Administrator"),
    "officer": N_("Officer"),
    "coordinator": N_("Coordinator"),
    "reporter": N_("Reporter"),
    "viewer": N_("Viewer"),
}

PASSWORD_MIN, PASSWORD_MAX = 12, 128


def password_problem(password: str, email: str) -> str | None:
    """The registry's password rule, checked before anything is sent (a message id)."""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        return N_("The password must have 12 to 128 characters.")
    if password.strip().lower() == email.strip().lower():
        return N_("The password must not be your email address.")
    return None


PARTNER_STATUSES: dict[str, str] = {
    "pending": N_("pending approval"),
    "active": N_("active"),
    "suspended": N_("suspended"),
    "rejected": N_("rejected"),
    "withdrawn": N_("withdrawn"),
}
USER_STATUSES: dict[str, str] = {"active": N_("active"), "disabled": N_("disabled")}
