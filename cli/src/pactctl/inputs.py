"""What people type, read one way everywhere (flags, JSON files, CSV cells): numbers with
thousands separators where unambiguous and decimal commas where asked for, dates as
YYYY-MM-DD, country codes with the GR/EL hint. Each refusal names what was typed, the rule
and the expected form. Numbers are read by pact_contracts.sheets.numbers (shared with the
portal)."""

from __future__ import annotations

from datetime import datetime

from pact_contracts.sheets.numbers import InputProblem, number, number_or_none, whole
from pact_contracts.vocabulary import COUNTRIES

COUNTRY_RULE = (
    "a country code of the EU-27 or IS, LI, NO (ISO 3166-1 alpha-2, e.g. DE; Greece is GR, not EL)"
)


def day(text: str) -> str:
    """A date written YYYY-MM-DD, as ISO text."""
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d").date().isoformat()
    except ValueError as exc:
        raise InputProblem(
            "not_a_date", f"{text.strip()!r} is not a date YYYY-MM-DD (e.g. 2026-12-31)"
        ) from exc


def country(text: str) -> str:
    """An ISO code, upper-cased (de is DE); EL is explained."""
    code = text.strip().upper()
    if code not in COUNTRIES:
        hint = (
            " (Greece is GR in ISO 3166-1; EL is the EU's statistical code)" if code == "EL" else ""
        )
        raise InputProblem("unknown_country", f"{text.strip()!r} is not {COUNTRY_RULE}{hint}")
    return code


__all__ = ["COUNTRY_RULE", "InputProblem", "country", "day", "number", "number_or_none", "whole"]
