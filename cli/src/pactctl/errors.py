"""A service's refusal in the user's words: each problem once, under the flag or file key
the user typed, with the rule and the expected form; never a library's wording."""

from __future__ import annotations

import re
from typing import Any

from .api import ApiError
from .inputs import COUNTRY_RULE

#: the services' validation rules (Pydantic's types), said as a rule and an expected form
RULES = {
    "missing": "is required",
    "date_from_datetime_parsing": "must be a date YYYY-MM-DD (e.g. 2026-12-31)",
    "date_parsing": "must be a date YYYY-MM-DD (e.g. 2026-12-31)",
    "date_type": "must be a date YYYY-MM-DD (e.g. 2026-12-31)",
    "float_parsing": "must be a number (e.g. 3000 or 3,000)",
    "int_parsing": "must be a whole number (e.g. 3000 or 3,000)",
    "bool_parsing": "must be true or false",
    "extra_forbidden": "is not a field this accepts (a typo?)",
    "string_too_short": "must not be empty",
    "url_parsing": "must be a web address https://...",
    "url_scheme": "must be a web address https://...",
    "list_type": "must be a list",
    "too_short": "must have at least one value",
}
_INPUT = re.compile(r"^Input should be (.*)$", re.S)


def _country_field(field: str) -> bool:
    return field.split(".")[0] in {"hq_country", "countries", "country"}


def rule_text(field: str, rule: str | None, message: str) -> str:
    """What the rule asks, once."""
    message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if _country_field(field) and rule in {"literal_error", "enum"}:
        return f"must be {COUNTRY_RULE}, in capitals"
    if rule in RULES:
        return RULES[rule]
    match = _INPUT.match(message)
    if match:
        expected = match[1].replace("'", "")
        if rule in {"literal_error", "enum"}:
            return "must be one of: " + re.sub(r",? or ", ", ", expected)
        return "must be " + expected
    return message


def where(field: str | None, names: dict[str, str]) -> str:
    """The flag (or file key) the user wrote for an API field: `countries.1` is the second
    --country; `principles.x` is --accept-charter."""
    if not field:
        return "request"
    parts = field.split(".")
    for n in range(len(parts), 0, -1):
        head = ".".join(parts[:n])
        if head in names:
            rest = [p for p in parts[n:]]
            index = f" (value {int(rest[0]) + 1})" if rest and rest[0].isdigit() else ""
            tail = ".".join(p for p in rest if not p.isdigit())
            return names[head] + (f" {tail}" if tail else "") + index
    return field


def explain(exc: ApiError) -> list[str]:
    """`Error: <status> <code>: <message> [<where>]`, or for invalid input one line per
    problem (grouped: a rule broken by four charter principles is said once)."""
    names = exc.names
    status = f"{exc.status} {exc.code}: " if exc.status else ""
    if not exc.problems:
        field = f" [{where(exc.field, names)}]" if exc.field else ""
        return [f"Error: {status}{exc.message}{field}"]
    lines: list[str] = []
    seen: set[tuple[str, str]] = set()
    for problem in exc.problems:
        field = str(problem.get("field") or "")
        said = rule_text(field, problem.get("rule"), str(problem.get("message") or ""))
        named = where(field, names)
        if named.split(" ")[0] == "--accept-charter":
            named, said = "--accept-charter", "the four principles must all be accepted"
        if (named, said) not in seen:
            seen.add((named, said))
            lines.append(f"  - {named}: {said}")
    head = f"Error: {status}" + (
        f"{len(lines)} problem(s); nothing was changed:" if exc.status == 422 else exc.message
    )
    return [head, *lines]


def naming(exc: ApiError, names: dict[str, str]) -> ApiError:
    """The refusal, to be explained with these names (API field -> what the user typed)."""
    exc.names = names
    return exc


def names_for(flags: dict[str, str], given: dict[str, Any], file: str | None) -> dict[str, str]:
    """API field -> the flag when it was given as one, else the key in the file."""
    out = {k: f"{k} in {file}" for k in flags} if file else {}
    out |= {k: flag for k, flag in flags.items() if given.get(k) is not None or not file}
    return out
