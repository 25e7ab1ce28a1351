"""Numbers as people type them (flags, JSON files, CSV cells, web forms): thousands
separators where unambiguous and decimal commas where asked for. Each refusal names what was
typed, the rule and the expected form."""

from __future__ import annotations

import re

_SPACES = re.compile(r"[\s\u00a0\u202f']")


class InputProblem(ValueError):
    """`rule`: a short code (not_a_number, not_a_date, unknown_country, ...); the message
    says what is expected."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


def _grouped(digits: str, sep: str) -> bool:
    """1,234,567 with `sep` between groups of three (the first of one to three digits)."""
    return re.fullmatch(rf"[0-9]{{1,3}}(\{sep}[0-9]{{3}})+", digits) is not None


def number(text: str, *, decimal_comma: bool = False, whole: bool = False) -> float:
    """`3000`, `3,000`, `3 000`, `1,234.50`; with `decimal_comma` `1.234,50` and `150000,50`
    (a dot then groups thousands: `1.500` is 1500). Refuses what could be read two ways."""
    raw = text.strip()
    t = _SPACES.sub("", raw)
    group, point = (".", ",") if decimal_comma else (",", ".")
    example = "1.234,50" if decimal_comma else "1,234.50"
    if t.startswith("-") and number_or_none(t[1:], decimal_comma) is not None:
        raise InputProblem("negative", f"{raw} is negative; it must be 0 or more")
    if decimal_comma and re.fullmatch(r"[0-9]+\.[0-9]{1,2}", t):
        return float(t)  # 150000.50: a decimal point (a dot groups three digits)
    integral, sep, fraction = t.partition(point)
    if group in fraction or (sep and not re.fullmatch(r"[0-9]+", fraction)):
        raise InputProblem("not_a_number", f"{raw!r} is not a number (write e.g. {example})")
    if not (re.fullmatch(r"[0-9]+", integral) or _grouped(integral, group)):
        if not decimal_comma and re.fullmatch(r"[0-9]+,[0-9]{1,2}", t):
            raise InputProblem(
                "decimal_comma",
                f"{raw!r}: a comma is a thousands separator here (3,000); for a decimal comma "
                "use a semicolon-separated file or --decimal-comma, or write "
                f"{t.replace(',', '.')}",
            )
        raise InputProblem(
            "not_a_number",
            f"{raw!r} is not a number (digits, thousands grouped by three: write e.g. {example})",
        )
    value = float(integral.replace(group, "") + ("." + fraction if sep else ""))
    if whole and sep and value != int(value):
        raise InputProblem("not_a_whole_number", f"{raw!r} is not a whole number")
    return value


def number_or_none(text: str, decimal_comma: bool) -> float | None:
    try:
        return number(text, decimal_comma=decimal_comma)
    except InputProblem:
        return None


def whole(text: str, *, decimal_comma: bool = False) -> int:
    """A count: `3000`, `3,000` (or `3.000` with decimal commas)."""
    try:
        value = number(text, decimal_comma=decimal_comma, whole=True)
    except InputProblem as exc:
        if exc.rule == "not_a_number":
            raise InputProblem(
                "not_a_whole_number",
                f"{text.strip()!r} is not a whole number (write e.g. "
                f"{'3.000' if decimal_comma else '3,000'} or 3000)",
            ) from exc
        raise
    if value != int(value):
        raise InputProblem("not_a_whole_number", f"{text.strip()!r} is not a whole number")
    return int(value)
